// SPDX-License-Identifier: GPL-2.0-only
/*
 * Whether the tracer can work here, told in one line before libbpf is
 * asked: libbpf would only say that it found no BTF type to attach to.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "tracer/tracer.h"

#define MODULE_DIR "/sys/module/wireguard"
#define MODULE_BTF "/sys/kernel/btf/wireguard"
#define KERNEL_BTF "/sys/kernel/btf/vmlinux"
#define KIND_LEN 32

static int kind_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == IFLA_INFO_KIND && mnl_attr_validate(a, MNL_TYPE_STRING) >= 0)
		snprintf(data, KIND_LEN, "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

static int link_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == IFLA_LINKINFO && mnl_attr_validate(a, MNL_TYPE_NESTED) >= 0)
		mnl_attr_parse_nested(a, kind_attr, data);
	return MNL_CB_OK;
}

static int link_message(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct ifinfomsg), link_attr, data);
}

/* The rtnetlink kind of the link: "wireguard" for kernel WireGuard, "tun"
 * for the device a userspace implementation serves; "" for none. */
static int link_kind(int ifindex, char kind[KIND_LEN])
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	uint32_t seq = time(NULL);
	ssize_t len;
	int err = 0;

	kind[0] = '\0';
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) ||
	    mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		err = -errno;
	else if ((len = mnl_socket_recvfrom(nl, buf, sizeof(buf))) <= 0)
		err = len ? -errno : -EIO;
	else if (mnl_cb_run(buf, len, seq, mnl_socket_get_portid(nl), link_message, kind) < 0)
		err = -errno;
	if (nl)
		mnl_socket_close(nl);
	return err;
}

static int not_visible(char why[TRACER_WHY_LEN], int reason, const char *line)
{
	snprintf(why, TRACER_WHY_LEN, "%s", line);
	return reason;
}

/* kernel_wg: an interface of kernel WireGuard is known, so WireGuard is
 * there, as a module or built in. */
static int module_status(int kernel_wg, char why[TRACER_WHY_LEN])
{
	if (!access(MODULE_BTF, F_OK))
		return TRACER_VISIBLE;
	if (!access(MODULE_DIR "/initstate", F_OK))
		return not_visible(why, TRACER_NO_BTF,
				   "the wireguard module has no BTF (" MODULE_BTF
				   "; the kernel needs CONFIG_DEBUG_INFO_BTF_MODULES)");
	/* Built in, WireGuard has a /sys/module entry, and its functions
	 * are in the kernel's own BTF. */
	if (!kernel_wg && access(MODULE_DIR, F_OK))
		return not_visible(why, TRACER_NO_MODULE, "the wireguard module is not loaded");
	if (access(KERNEL_BTF, F_OK))
		return not_visible(why, TRACER_NO_BTF, "the kernel has no BTF (" KERNEL_BTF ")");
	return TRACER_VISIBLE;
}

int tracer_status(const char *ifname, int ifindex, char why[TRACER_WHY_LEN])
{
	char kind[KIND_LEN];
	int err;

	why[0] = '\0';
	if (!ifindex)
		return module_status(0, why);
	err = link_kind(ifindex, kind);
	if (err)
		return err;
	if (strcmp(kind, "wireguard")) {
		snprintf(why, TRACER_WHY_LEN,
			 "%s is not kernel WireGuard: a userspace WireGuard (wireguard-go, "
			 "boringtun) drops such packets in its own code", ifname);
		return TRACER_USERSPACE;
	}
	return module_status(1, why);
}
