/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_FUZZ_H
#define IOP_FUZZ_H

/*
 * Each harness defines LLVMFuzzerTestOneInput (libFuzzer's entry point).
 * Built with clang -fsanitize=fuzzer it is a fuzzer (the fuzz tier);
 * linked with replay.c it replays its corpus and saved crashes as a
 * unit test, with any compiler.
 */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data as a file the parser under test can open by path: an anonymous
 * memory file, reused from one input to the next. The path stays valid
 * until the next call. */
const char *fuzz_input_path(const uint8_t *data, size_t size);

#endif /* IOP_FUZZ_H */
