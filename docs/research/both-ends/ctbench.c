/* Cost of one ctnetlink IPCTNL_MSG_CT_GET (hit and miss) beside an anchor of the same shape (RTM_GETLINK of lo:
 * one request, one reply datagram), without any language runtime in the way. Run inside the namespace:
 *   ip netns exec NS ./ctbench SRC SPORT DST DPORT N
 * Prints ns per call for each, three rounds interleaved, and the ratios to the anchor. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static char rx[65536];

static size_t put_attr(char *p, uint16_t type, const void *data, uint16_t len) {
    struct nlattr *a = (struct nlattr *)p;
    a->nla_len = NLA_HDRLEN + len;
    a->nla_type = type;
    memcpy(p + NLA_HDRLEN, data, len);
    return NLA_ALIGN(a->nla_len);
}

/* IPCTNL_MSG_CT_GET with CTA_TUPLE_ORIG { CTA_TUPLE_IP { V4_SRC, V4_DST }, CTA_TUPLE_PROTO { NUM, SRC, DST } } */
static size_t ct_get(char *buf, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport) {
    memset(buf, 0, 128);
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    h->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
    h->nlmsg_flags = NLM_F_REQUEST;
    struct nfgenmsg *g = (struct nfgenmsg *)(buf + NLMSG_HDRLEN);
    g->nfgen_family = AF_INET;
    g->version = NFNETLINK_V0;
    g->res_id = 0;
    char *p = buf + NLMSG_HDRLEN + sizeof(*g);
    struct nlattr *orig = (struct nlattr *)p;
    p += NLA_HDRLEN;
    struct nlattr *ip = (struct nlattr *)p;
    p += NLA_HDRLEN;
    p += put_attr(p, CTA_IP_V4_SRC, &src, 4);
    p += put_attr(p, CTA_IP_V4_DST, &dst, 4);
    ip->nla_type = CTA_TUPLE_IP | NLA_F_NESTED;
    ip->nla_len = p - (char *)ip;
    struct nlattr *pr = (struct nlattr *)p;
    p += NLA_HDRLEN;
    uint8_t num = IPPROTO_TCP;
    p += put_attr(p, CTA_PROTO_NUM, &num, 1);
    p += put_attr(p, CTA_PROTO_SRC_PORT, &sport, 2);
    p += put_attr(p, CTA_PROTO_DST_PORT, &dport, 2);
    pr->nla_type = CTA_TUPLE_PROTO | NLA_F_NESTED;
    pr->nla_len = p - (char *)pr;
    orig->nla_type = CTA_TUPLE_ORIG | NLA_F_NESTED;
    orig->nla_len = p - (char *)orig;
    h->nlmsg_len = p - buf;
    return h->nlmsg_len;
}

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static int roundtrip(int fd, const char *req, size_t len) {
    if (send(fd, req, len, 0) < 0) { perror("send"); exit(1); }
    ssize_t n = recv(fd, rx, sizeof rx, 0);
    if (n < 0) { perror("recv"); exit(1); }
    struct nlmsghdr *h = (struct nlmsghdr *)rx;
    if (h->nlmsg_type == NLMSG_ERROR) return -((struct nlmsgerr *)NLMSG_DATA(h))->error;
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 6) { fprintf(stderr, "usage: ctbench SRC SPORT DST DPORT N\n"); return 2; }
    uint32_t src, dst;
    inet_pton(AF_INET, argv[1], &src);
    inet_pton(AF_INET, argv[3], &dst);
    uint16_t sport = htons(atoi(argv[2])), dport = htons(atoi(argv[4]));
    long n = atol(argv[5]);
    int ct = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
    int rt = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    char hit[128], miss[128], link[64] = {0};
    size_t hl = ct_get(hit, src, sport, dst, dport), ml = ct_get(miss, src, htons(1), dst, dport);
    struct nlmsghdr *lh = (struct nlmsghdr *)link;
    lh->nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
    lh->nlmsg_type = RTM_GETLINK;
    lh->nlmsg_flags = NLM_F_REQUEST;
    ((struct ifinfomsg *)NLMSG_DATA(lh))->ifi_index = 1;
    int e = roundtrip(ct, hit, hl);
    if (e) { fprintf(stderr, "hit tuple: error %d (%s)\n", e, strerror(e)); return 1; }
    if (roundtrip(ct, miss, ml) != ENOENT) { fprintf(stderr, "miss tuple did not miss\n"); return 1; }
    printf("request: %zu bytes (nlmsghdr 16 + nfgenmsg 4 + CTA_TUPLE_ORIG %zu)\n", hl, hl - 20);
    for (int r = 0; r < 3; r++) {
        long t0 = now_ns();
        for (long i = 0; i < n; i++) roundtrip(rt, link, lh->nlmsg_len);
        long t1 = now_ns();
        for (long i = 0; i < n; i++) roundtrip(ct, hit, hl);
        long t2 = now_ns();
        for (long i = 0; i < n; i++) roundtrip(ct, miss, ml);
        long t3 = now_ns();
        double a = (double)(t1 - t0) / n, h = (double)(t2 - t1) / n, m = (double)(t3 - t2) / n;
        printf("round %d: anchor RTM_GETLINK %.0f ns, CT_GET hit %.0f ns (%.2fx), miss %.0f ns (%.2fx)\n", r, a, h,
               h / a, m, m / a);
    }
    return 0;
}
