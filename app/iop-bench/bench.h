/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_BENCH_H
#define IOP_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define BENCH_MAX_IOAS 64

struct bench_args {
	bool json;
	bool count_instructions; /* translate: callgrind instructions per hit */
	unsigned int nioas;      /* map: IOAS to map into */
	unsigned int reps;       /* repetitions; the best one is reported */
	const char *devs[BENCH_MAX_IOAS]; /* --dev: device i joins IOAS i */
	unsigned int ndevs;
};

struct iop_ioas;
struct iop_dev;

struct bench_ioas {
	struct iop_ioas *ioas[BENCH_MAX_IOAS];
	struct iop_dev *dev[BENCH_MAX_IOAS];
	unsigned int n;
};

/* k IOAS with the --dev devices attached; the message is printed on failure. */
int bench_ioas_create(const struct bench_args *a, unsigned int k, struct bench_ioas *s);
void bench_ioas_destroy(struct bench_ioas *s);

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int bench_translate(const struct bench_args *a);
int bench_map(const struct bench_args *a);
int bench_move(const struct bench_args *a);
/* The callgrind child: hit lookups in a noinline function (hits.c). */
int bench_hit_child(uint64_t n);
/* Instructions per lookup, from callgrind runs of this program's child. */
struct bench_instructions {
	double hit;               /* (c): entries, from the buffer address */
	double buf_iova;          /* (a): mbuf->buf_iova */
	double entries_from_mbuf; /* (f): entries, from the mbuf */
	double run_from_mbuf;     /* (e): the run, from the mbuf */
	double refill;            /* (g): the run, from the mbuf's address */
};
int bench_count_instructions(struct bench_instructions *in);

#endif /* IOP_BENCH_H */
