/* SPDX-License-Identifier: GPL-2.0-only */
/* The words and figures the printers share: names of hooks, modes and
 * reasons, sizes, times. */
#ifndef WGSF_UI_NAMES_H
#define WGSF_UI_NAMES_H

#include <stdint.h>
#include <time.h>

#include "device/prefix.h"
#include "wgsf.h"
#include "wgsf_verdict.h"

/* A violation's reason (enum wgsf_reason): "source", "destination",
 * "blocked", "service", "rate", "quarantined" */
const char *ui_reason_name(uint32_t reason);
/* "tc (tcx)", "tc (clsact)" */
const char *ui_hook(const struct wgsf_attachment *a, char buf[32]);
/* The config's policy file, or "none" */
const char *ui_policy_name(const struct wgsf_config *c);
/* "monitor" or "enforce" */
const char *ui_mode(uint32_t mode);

/* An address the datapath recorded, or NULL where it recorded none. */
const char *ui_addr(const struct wgsf_addr *a, char buf[PREFIX_STRLEN]);
const char *ui_bytes(uint64_t bytes, char buf[32]);
/* A rate in the largest of tc's units it is a whole number of, decimal
 * before binary: "20 Mbit/s", "512 Kibit/s", "1500 bit/s". */
const char *ui_bit_rate(uint64_t bits_per_sec, char buf[32]);
/* "1 hour, 2 minutes ago" of a CLOCK_MONOTONIC stamp; "never" for 0. */
const char *ui_ago(uint64_t mono_ns, char buf[64]);
/* "in 14 minutes, 59 seconds" of one to come; "now" once it has come. */
const char *ui_in(uint64_t mono_ns, char buf[64]);
/* Seconds since the epoch as local time, "2026-12-07 05:00:00". */
const char *ui_local_time(uint64_t epoch, char buf[32]);
/* A clock's time in ns: CLOCK_MONOTONIC the datapath's stamps, its
 * _COARSE twin what flows are stamped with. */
uint64_t ui_clock_ns(clockid_t clock);
/* Seconds since the epoch of a CLOCK_MONOTONIC stamp, past or to come;
 * 0 stays 0. */
uint64_t ui_epoch(uint64_t mono_ns);

/* What the upper layer of a peer's last violation tells: a destination
 * port (TCP, UDP, SCTP), an ICMP or ICMPv6 type, or neither (another
 * protocol, a fragment, a header cut short); in *value. */
enum { UI_L4_NONE, UI_L4_PORT, UI_L4_TYPE };
/* The same of a packet's upper layer as the parse found it (wgsf_l4.h). */
int ui_l4_kind(uint8_t version, uint8_t proto, uint8_t l4_flags);
int ui_last_l4(const struct wgsf_peer_stats *s, unsigned int *value);
/* It as a service: "tcp/22", "icmp/8", "tcp" (no port known), "proto/47". */
const char *ui_service(const struct wgsf_peer_stats *s, char buf[32]);

#endif
