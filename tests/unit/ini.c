// SPDX-License-Identifier: GPL-2.0-only
/* The one reader of WireGuard-style text: each input of one table read by
 * both of its users, the policy's reader and the WireGuard config's, with
 * the same outcome (the message of a line of neither form aside, which
 * only the config's reader quotes). No privileges. */
#include <stdio.h>
#include <string.h>

#include "check/wgconf.h"
#include "ini.h"
#include "policy/policy.h"
#include "tap.h"

#define KEY "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
#define TWO_WORDS "[Peer]\nPublic Key = " KEY "\n"

/* Each text starts [Peer] with its key, and is given to both readers. */
static const struct {
	const char *what, *text;
	size_t len; /* 0: strlen */
	const char *err; /* NULL: read; else after "NAME:" */
} cases[] = {
	{ "plain", "[Peer]\nPublicKey = " KEY "\n", 0, NULL },
	{ "CRLF line ends", "[Peer]\r\nPublicKey = " KEY "\r\n", 0, NULL },
	{ "no newline at the end", "[Peer]\nPublicKey = " KEY, 0, NULL },
	{ "a byte order mark before the first line", "\xef\xbb\xbf[Peer]\nPublicKey = " KEY "\n",
	  0, NULL },
	{ "a byte order mark on the second line", "[Peer]\n\xef\xbb\xbfPublicKey = " KEY "\n", 0,
	  "2: a UTF-8 byte order mark, which only the first line may start with" },
	{ "comments anywhere, blank lines, tabs, spaces",
	  "# head\n\n\t[ Peer ]  # the peer\n  PublicKey\t=\t" KEY "   # its key\n#\n", 0, NULL },
	{ "section and key in any case", "[pEER]\npublickey = " KEY "\n", 0, NULL },
	{ "a '#' in a value starts a comment", "[Peer]\nPublicKey = " KEY "#x\n", 0, NULL },
	{ "a control byte", "[Peer]\nPublicKey = " KEY "\x01\n", 0, "2: binary data (byte 0x01)" },
	{ "a control byte in a comment", "[Peer]\n# \x1b[2J\nPublicKey = " KEY "\n", 0,
	  "2: binary data (byte 0x1b)" },
	{ "DEL", "[Peer]\x7f\nPublicKey = " KEY "\n", 0, "1: binary data (byte 0x7f)" },
	{ "a NUL byte", "[Peer]\nPublicKey = " KEY "\0\n", sizeof("[Peer]\nPublicKey = " KEY) + 1,
	  "2: binary data (byte 0x00)" },
	{ "vertical tab and form feed: white space", "[Peer]\v\nPublicKey = " KEY "\f\n", 0, NULL },
	{ "an unterminated section", "[Peer\nPublicKey = " KEY "\n", 0,
	  "1: unterminated section header" },
	{ "a line of neither form", "[Peer]\nPublicKey = " KEY "\nS3CR3T\n", 0,
	  "3: expected 'Key = Value' or a [Section]" },
	{ "a key-less setting", "[Peer]\nPublicKey = " KEY "\n= x\n", 0,
	  "3: expected 'Key = Value' or a [Section]" },
	{ "a [Peer] without its key", "[Peer]\n", 0, "1: [Peer] without a PublicKey" },
};

/* err without "NAME:" and, for the config's reader, a quoted line. */
static const char *tail(const char *err, const char *name)
{
	static char out[WGCONF_ERR_LEN];
	char *quote;

	snprintf(out, sizeof(out), "%s", err + strlen(name) + 1);
	quote = strstr(out, ", not '");
	if (quote)
		*quote = '\0';
	return out;
}

int main(void)
{
	char perr[POLICY_ERR_LEN], werr[WGCONF_ERR_LEN];
	struct wg_conf conf;
	struct policy pol;
	size_t i, len;
	int pr, wr;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		len = cases[i].len ?: strlen(cases[i].text);
		perr[0] = werr[0] = '\0';
		pr = policy_parse("p", cases[i].text, len, &pol, perr);
		wr = wgconf_parse("w", cases[i].text, len, &conf, werr);
		if (cases[i].err) {
			ok(pr && !strcmp(tail(perr, "p"), cases[i].err),
			   "policy: %s: refused, '%s'", cases[i].what, perr);
			ok(wr && !strcmp(tail(werr, "w"), cases[i].err),
			   "config: %s: refused, '%s'", cases[i].what, werr);
			continue;
		}
		ok(!pr && pol.n_peers == 1, "policy: %s: read %s", cases[i].what, perr);
		ok(!wr && conf.n_sections == 1, "config: %s: read %s", cases[i].what, werr);
		if (!pr)
			policy_free(&pol);
		if (!wr)
			wgconf_free(&conf);
	}
	/* where the users part, on purpose */
	ok(!wgconf_parse("w", TWO_WORDS, strlen(TWO_WORDS), &conf, werr) &&
		   conf.n_sections == 1,
	   "config: a key of two words is one, as wg reads it");
	wgconf_free(&conf);
	ok(policy_parse("p", TWO_WORDS, strlen(TWO_WORDS), &pol, perr) &&
		   !strcmp(perr, "p:2: expected 'Key = Value' or a [Section]"),
	   "policy: a key of two words is no policy's, and not quoted");
	ok(wgconf_parse("w", "[Peer]\nS3CR3T\n", 14, &conf, werr) &&
		   !strcmp(werr, "w:2: expected 'Key = Value' or a [Section], not 'S3CR3T'"),
	   "config: a line of neither form is quoted (wgsf check's own file)");
	return done_testing();
}
