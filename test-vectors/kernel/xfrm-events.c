/*
 * Builds XFRM event messages (EXPIRE, POLEXPIRE, ACQUIRE, MIGRATE, MAPPING)
 * with the structures of <linux/xfrm.h> as the C compiler lays them out on
 * x86_64, and prints them as JSON hex. It is an encoder independent of ours:
 * test/kernel/xfrm-event-vectors.test.ts decodes these bytes.
 *
 *   gcc -O0 -o /tmp/xfrm-events test-vectors/kernel/xfrm-events.c && /tmp/xfrm-events > test-vectors/kernel/xfrm-events.json
 */
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <stdio.h>
#include <string.h>

static unsigned char buf[4096];
static size_t len;

static void start(int type) {
	memset(buf, 0, sizeof(buf));
	len = NLMSG_HDRLEN;
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	h->nlmsg_type = type;
}
static void *put(size_t n) {
	void *p = buf + len;
	len += NLMSG_ALIGN(n);
	return p;
}
static void *attr(int type, size_t n) {
	struct nlattr *a = put(NLA_HDRLEN + n);
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + n;
	return (unsigned char *)a + NLA_HDRLEN;
}
static void emit(const char *name, int last) {
	((struct nlmsghdr *)buf)->nlmsg_len = len;
	printf("    { \"name\": \"%s\", \"hex\": \"", name);
	for (size_t i = 0; i < len; i++) printf("%02x", buf[i]);
	printf("\" }%s\n", last ? "" : ",");
}
static void a4(xfrm_address_t *a, const char *s) { inet_pton(AF_INET, s, &a->a4); }
static void a6(xfrm_address_t *a, const char *s) { inet_pton(AF_INET6, s, &a->in6); }

int main(void) {
	printf("{\n  \"source\": \"test-vectors/kernel/xfrm-events.c (structs of <linux/xfrm.h>, linux-libc-dev 6.1, gcc x86_64)\",\n  \"vectors\": [\n");

	/* EXPIRE, soft: ESP tunnel SA 192.0.2.1 -> 192.0.2.2 spi 0xc0ffee01 reqid 7, mark 0x10/0xff */
	start(XFRM_MSG_EXPIRE);
	struct xfrm_user_expire *ue = put(sizeof(*ue));
	a4(&ue->state.id.daddr, "192.0.2.2");
	a4(&ue->state.saddr, "192.0.2.1");
	ue->state.id.spi = htonl(0xc0ffee01);
	ue->state.id.proto = IPPROTO_ESP;
	ue->state.family = AF_INET;
	ue->state.mode = XFRM_MODE_TUNNEL;
	ue->state.reqid = 7;
	ue->state.lft.soft_add_expires_seconds = 2;
	ue->state.lft.hard_add_expires_seconds = 4;
	ue->state.lft.soft_byte_limit = ue->state.lft.hard_byte_limit = XFRM_INF;
	ue->state.lft.soft_packet_limit = ue->state.lft.hard_packet_limit = XFRM_INF;
	ue->state.curlft.bytes = 123456;
	ue->state.curlft.packets = 789;
	ue->hard = 0;
	struct xfrm_mark *mk = attr(XFRMA_MARK, sizeof(*mk));
	mk->v = 0x10;
	mk->m = 0xff;
	emit("expire-soft-v4", 0);

	/* POLEXPIRE, hard: fwd policy 10.7.0.0/16 -> 10.8.0.0/16 index 18 */
	start(XFRM_MSG_POLEXPIRE);
	struct xfrm_user_polexpire *pe = put(sizeof(*pe));
	a4(&pe->pol.sel.saddr, "10.7.0.0");
	a4(&pe->pol.sel.daddr, "10.8.0.0");
	pe->pol.sel.family = AF_INET;
	pe->pol.sel.prefixlen_s = 16;
	pe->pol.sel.prefixlen_d = 16;
	pe->pol.dir = XFRM_POLICY_FWD;
	pe->pol.index = 18;
	pe->pol.priority = 300;
	pe->hard = 1;
	emit("polexpire-hard-v4", 0);

	/* ACQUIRE, IPv6 transport: TCP 2001:db8::1:1234 -> 2001:db8::2:80, reqid 9, if_id 42 */
	start(XFRM_MSG_ACQUIRE);
	struct xfrm_user_acquire *ua = put(sizeof(*ua));
	a6(&ua->id.daddr, "2001:db8::2");
	ua->id.proto = IPPROTO_ESP;
	a6(&ua->saddr, "2001:db8::1");
	a6(&ua->sel.saddr, "2001:db8::1");
	a6(&ua->sel.daddr, "2001:db8::2");
	ua->sel.family = AF_INET6;
	ua->sel.prefixlen_s = ua->sel.prefixlen_d = 128;
	ua->sel.proto = IPPROTO_TCP;
	ua->sel.sport = htons(1234);
	ua->sel.sport_mask = 0xffff;
	ua->sel.dport = htons(80);
	ua->sel.dport_mask = 0xffff;
	a6(&ua->policy.sel.saddr, "2001:db8::");
	a6(&ua->policy.sel.daddr, "2001:db8::");
	ua->policy.sel.family = AF_INET6;
	ua->policy.sel.prefixlen_s = ua->policy.sel.prefixlen_d = 64;
	ua->policy.dir = XFRM_POLICY_OUT;
	ua->policy.index = 25;
	ua->policy.priority = 1000;
	ua->aalgos = ua->ealgos = ua->calgos = ~0u;
	ua->seq = 77;
	struct xfrm_user_tmpl *t = attr(XFRMA_TMPL, sizeof(*t));
	t->id.proto = IPPROTO_ESP;
	t->family = AF_INET6;
	t->reqid = 9;
	t->mode = XFRM_MODE_TRANSPORT;
	t->aalgos = t->ealgos = t->calgos = ~0u;
	*(__u32 *)attr(XFRMA_IF_ID, 4) = 42;
	emit("acquire-transport-v6", 0);

	/* MIGRATE: out policy 10.1.0.0/16 -> 10.2.0.0/16, ESP tunnel 192.0.2.1->192.0.2.2 moves to 198.51.100.1->192.0.2.2 */
	start(XFRM_MSG_MIGRATE);
	struct xfrm_userpolicy_id *pid = put(sizeof(*pid));
	a4(&pid->sel.saddr, "10.1.0.0");
	a4(&pid->sel.daddr, "10.2.0.0");
	pid->sel.family = AF_INET;
	pid->sel.prefixlen_s = pid->sel.prefixlen_d = 16;
	pid->dir = XFRM_POLICY_OUT;
	struct xfrm_user_migrate *um = attr(XFRMA_MIGRATE, sizeof(*um));
	a4(&um->old_daddr, "192.0.2.2");
	a4(&um->old_saddr, "192.0.2.1");
	a4(&um->new_daddr, "192.0.2.2");
	a4(&um->new_saddr, "198.51.100.1");
	um->proto = IPPROTO_ESP;
	um->mode = XFRM_MODE_TUNNEL;
	um->reqid = 7;
	um->old_family = um->new_family = AF_INET;
	struct xfrm_user_kmaddress *km = attr(XFRMA_KMADDRESS, sizeof(*km));
	a4(&km->local, "198.51.100.1");
	a4(&km->remote, "192.0.2.2");
	km->family = AF_INET;
	emit("migrate-v4", 0);

	/* MAPPING: the peer of ESP-in-UDP SA spi 0x0badcafe moved from 203.0.113.9:4500 to 203.0.113.10:31000 */
	start(XFRM_MSG_MAPPING);
	struct xfrm_user_mapping *mp = put(sizeof(*mp));
	a4(&mp->id.daddr, "198.51.100.7");
	mp->id.spi = htonl(0x0badcafe);
	mp->id.family = AF_INET;
	mp->id.proto = IPPROTO_ESP;
	mp->reqid = 3;
	a4(&mp->old_saddr, "203.0.113.9");
	a4(&mp->new_saddr, "203.0.113.10");
	mp->old_sport = htons(4500);
	mp->new_sport = htons(31000);
	emit("mapping-v4", 1);

	printf("  ]\n}\n");
	return 0;
}
