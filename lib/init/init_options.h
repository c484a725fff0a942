/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOP_INIT_OPTIONS_H
#define IOP_INIT_OPTIONS_H

#include "iop_init.h"

/*
 * iop_init's parser, on what rte_eal_init left: argv[0] is the program
 * name, argv[1..] iopath's options and then the app's. getopt_long, so
 * --opt=value and --opt value; names are matched whole. Returns how many
 * arguments after argv[0] it consumed (up to the first it does not know,
 * or past a second `--`; --help stops it and stays for the app, with
 * opts->help set), or -EINVAL with a message.
 */
int init_options_parse(int argc, char **argv, struct iop_options *opts);

#endif /* IOP_INIT_OPTIONS_H */
