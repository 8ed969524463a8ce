// SPDX-License-Identifier: GPL-2.0-only
/* The policy file parser: a full valid file read exactly, and every kind of
 * bad file refused with one line naming file and line. No privileges. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "policy/policy.h"
#include "tap.h"
#include "wgsf.h"

#define KEY_A "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
#define KEY_B "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0="

static char path[64];

static void write_file(const void *text, size_t len)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(text, 1, len, f) != len)
		abort();
	fclose(f);
}

static void refused(const char *what, const char *text, const char *want)
{
	char err[POLICY_ERR_LEN] = "", full[POLICY_ERR_LEN];
	struct policy p;

	write_file(text, strlen(text));
	snprintf(full, sizeof(full), "%s%s", path, want);
	ok(policy_read(path, &p, err) == -EINVAL && !strcmp(err, full) && !p.n_peers,
	   "%s: refused", what);
	if (strcmp(err, full))
		diag("  got '%s'\n#  want '%s'", err, full);
}

static void valid(void)
{
	static const char text[] =
		"# a comment\n"
		"[Interface]\n"
		"Mode = enforce   # trailing comment\n"
		"\n"
		"[Peer]\n"
		"PublicKey = " KEY_A "\n"
		"AllowedSources = 192.0.2.10/32, 2001:db8::10\n"
		"allowedsources = 192.0.2.77/30\n"
		"AllowedDestinations = 198.51.100.0/24\n"
		"[peer]\n"
		"\tPublicKey=" KEY_B "\n"
		"Block = true\n";
	char err[POLICY_ERR_LEN], buf[PREFIX_STRLEN];
	const struct peer_rules *a, *b;
	uint8_t key[WG_KEY_LEN];
	struct policy p;

	write_file(text, sizeof(text) - 1);
	if (!ok(!policy_read(path, &p, err), "a valid file reads"))
		return diag("%s", err);
	is_u64(p.mode, WGSF_MODE_ENFORCE, "Mode = enforce");
	is_u64(p.mode_line, 3, "on line 3, for the line that says it took effect");
	is_u64(p.n_peers, 2, "two peers");
	key_from_base64(key, KEY_A);
	a = policy_find(&p, key);
	key_from_base64(key, KEY_B);
	b = policy_find(&p, key);
	ok(a && a->has_sources && a->sources.n == 3 && a->rules.n == 1 && a->rules.v[0].any_proto &&
		   !a->blocked && a->line == 5,
	   "peer A: three sources (repeated keys append), one destination, line 5");
	ok(a && !strcmp(prefix_format(&a->sources.v[2], buf), "192.0.2.76/30"),
	   "host bits cleared: 192.0.2.77/30 is 192.0.2.76/30");
	ok(a && !strcmp(prefix_format(&a->sources.v[1], buf), "2001:db8::10/128"),
	   "a bare address is a host route");
	ok(a && a->sources.lines[0] == 7 && a->sources.lines[1] == 7 && a->sources.lines[2] == 8 &&
		   a->rules.v[0].line == 9,
	   "each source and destination keeps its own line (7, 7, 8; 9), for warnings");
	ok(b && b->blocked && !b->has_sources && !b->rules.n,
	   "peer B: blocked, sources and destinations by default");
	policy_free(&p);
}

int main(void)
{
	char err[POLICY_ERR_LEN];
	struct policy p;

	/* not writable by group or others, whatever the umask: see strict_path.h */
	umask(022);
	snprintf(path, sizeof(path), "/tmp/wgsf-policy-%d", getpid());
	valid();
	refused("empty file", "", ": empty policy: no [Interface], [Peer] or [Group] section");
	refused("only comments", "# nothing\n\n",
		": empty policy: no [Interface], [Peer] or [Group] section");
	refused("unknown section", "[Interface]\n[Peers]\n",
		":2: unknown section '[Peers]' ([Interface], [Peer] or [Group NAME])");
	refused("unterminated section", "[Peer\n", ":1: unterminated section header");
	refused("key outside a section", "Mode = enforce\n",
		":1: a setting outside any section ([Interface], [Peer] or [Group NAME] first)");
	refused("no '='", "[Interface]\nMode enforce\n", ":2: expected 'Key = Value' or a [Section]");
	/* A line of no policy syntax is named by its number alone: the file may
	 * be any file (a link to /etc/shadow), and the message goes to logs. */
	refused("a line of /etc/shadow", "root:$y$j9T$S3CR3T$hash:19000:0:99999:7:::\n",
		":1: expected 'Key = Value' or a [Section]");
	refused("an environment file's line", "TOKEN=S3CR3T\n",
		":1: a setting outside any section ([Interface], [Peer] or [Group NAME] first)");
	refused("a key of two words", "[Peer]\nS3CR3T words = x\n",
		":2: expected 'Key = Value' or a [Section]");
	refused("a key past 32 bytes", "[Peer]\nS3CR3Tc2VjcmV0IHRoYXQgbXVzdCBub3Qg==\n",
		":2: expected 'Key = Value' or a [Section]");
	refused("a section of two words", "[S3CR3T words]\n",
		":1: unknown section ([Interface], [Peer] or [Group NAME])");
	refused("an unterminated section", "[S3CR3T\n", ":1: unterminated section header");
	refused("bad mode", "[Interface]\nMode = drop\n", ":2: Mode is monitor or enforce, not 'drop'");
	refused("unknown interface key", "[Interface]\nListenPort = 51820\n",
		":2: unknown key 'ListenPort' in [Interface]");
	refused("unknown peer key", "[Peer]\nPublicKey = " KEY_A "\nAllowedIPs = 192.0.2.0/24\n",
		":3: unknown key 'AllowedIPs' in [Peer]");
	refused("bad key", "[Peer]\nPublicKey = notakey=\n", ":2: invalid public key 'notakey='");
	refused("missing PublicKey", "[Peer]\nBlock = true\n[Peer]\nPublicKey = " KEY_A "\n",
		":1: [Peer] without a PublicKey");
	refused("missing PublicKey at the end", "[Peer]\nPublicKey = " KEY_A "\n\n[Peer]\nBlock = true\n",
		":4: [Peer] without a PublicKey");
	refused("two keys in one peer", "[Peer]\nPublicKey = " KEY_A "\nPublicKey = " KEY_B "\n",
		":3: a second PublicKey in one [Peer]");
	refused("duplicate peer", "[Peer]\nPublicKey = " KEY_A "\n[Peer]\nPublicKey = " KEY_A "\n",
		":4: peer " KEY_A " appears twice (first at line 1)");
	refused("bad prefix", "[Peer]\nPublicKey = " KEY_A "\nAllowedSources = 192.0.2.0/33\n",
		":3: invalid prefix '192.0.2.0/33'");
	refused("not a prefix", "[Peer]\nPublicKey = " KEY_A "\nAllowedDestinations = gateway\n",
		":3: invalid prefix 'gateway'");
	refused("empty prefix", "[Peer]\nPublicKey = " KEY_A "\nAllowedSources = 192.0.2.1/32,,\n",
		":3: an empty prefix in AllowedSources");
	refused("empty value", "[Peer]\nPublicKey = " KEY_A "\nAllowedDestinations =\n",
		":3: an empty prefix in AllowedDestinations");
	refused("bad Block", "[Peer]\nPublicKey = " KEY_A "\nBlock = maybe\n",
		":3: Block is true or false, not 'maybe'");
	refused("two [Interface]", "[Interface]\n[Interface]\n", ":2: a second [Interface] section");

	/* no limit of its own: WireGuard has none, the file's size is the limit */
	char longline[6000];
	memset(longline, ' ', sizeof(longline));
	memcpy(longline, "[Peer]\n#", 8);
	longline[sizeof(longline) - 2] = '\n';
	longline[sizeof(longline) - 1] = '\0';
	refused("a long line", longline, ":1: [Peer] without a PublicKey");
	refused("binary garbage", "[Interface]\n\x7f" "ELF\x01\x02\n", ":2: binary data (byte 0x7f)");
	write_file("[Interface]\nMode = monitor\0\n", 28);
	ok(policy_read(path, &p, err) == -EINVAL && strstr(err, ":2: binary data (byte 0x00)"),
	   "a NUL byte: refused");
	write_file("\xef\xbb\xbf[Interface]\nMode = enforce\n", 30);
	ok(!policy_read(path, &p, err) && p.mode == WGSF_MODE_ENFORCE,
	   "a UTF-8 byte order mark before [Interface]: read as if absent");
	policy_free(&p);
	write_file("[Interface]\nMode = enforce\n# and then\nmode = Monitor\n", 53);
	ok(!policy_read(path, &p, err) && p.mode == WGSF_MODE_MONITOR && p.mode_line == 4,
	   "Mode given twice: the last counts, and its line");
	policy_free(&p);
	refused("a byte order mark after the first line", "[Interface]\n\xef\xbb\xbfMode = enforce\n",
		":2: a UTF-8 byte order mark, which only the first line may start with");
	unlink(path);
	ok(policy_read(path, &p, err) == -ENOENT && strstr(err, "No such file"),
	   "a missing file: refused, saying so");
	return done_testing();
}
