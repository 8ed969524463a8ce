/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef WGSF_SUBCOMMANDS_H
#define WGSF_SUBCOMMANDS_H

/* Each subcommand's arguments, as its usage line prints them. */
extern const char attach_usage[], detach_usage[], sync_usage[], show_usage[], lookup_usage[],
	watch_usage[];
extern const char orphans_usage[];
extern const char check_usage[];
extern const char metrics_usage[];
extern const char top_usage[];
extern const char events_usage[];
extern const char flows_usage[];
extern const char quarantine_usage[], release_usage[];

int attach_main(int argc, const char *argv[]);
int detach_main(int argc, const char *argv[]);
int sync_main(int argc, const char *argv[]);
int show_main(int argc, const char *argv[]);
int lookup_main(int argc, const char *argv[]);
int watch_main(int argc, const char *argv[]);
int orphans_main(int argc, const char *argv[]);
int check_main(int argc, const char *argv[]);
int metrics_main(int argc, const char *argv[]);
int top_main(int argc, const char *argv[]);
int events_main(int argc, const char *argv[]);
int flows_main(int argc, const char *argv[]);
int quarantine_main(int argc, const char *argv[]);
int release_main(int argc, const char *argv[]);

#endif
