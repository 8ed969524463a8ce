/* SPDX-License-Identifier: GPL-2.0-only */
/* Policy texts for the parser's tests. */
#ifndef WGSF_TEST_POLICY_TEXT_H
#define WGSF_TEST_POLICY_TEXT_H

/* One TAP test: body, parsed as file "p", is refused with exactly want,
 * and nothing of it is read. */
void policy_refused(const char *what, const char *body, const char *want);

#endif
