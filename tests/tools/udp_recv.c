/*
 * udp_recv.c -- a UDP listener for tests/replay_test.sh (no nc or socat on
 * the build machines): binds 127.0.0.1 on a free port, writes the port to
 * PORTFILE (whole, by a rename), then copies every datagram to standard
 * output as it came until none has come for IDLE_MS after the first, or
 * WAIT_MS before it.  Exit 0; 1 on a socket error.
 *
 * usage: udp_recv PORTFILE IDLE_MS WAIT_MS
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 4) {
        fputs("usage: udp_recv PORTFILE IDLE_MS WAIT_MS\n", stderr);
        return 2;
    }
    int idle = atoi(argv[2]), wait = atoi(argv[3]);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    int big = 8 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
        perror("udp_recv");
        return 1;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
    FILE *pf = fopen(tmp, "w");
    if (!pf || fprintf(pf, "%d\n", ntohs(a.sin_port)) < 0 || fclose(pf) != 0 || rename(tmp, argv[1]) != 0) {
        perror(argv[1]);
        return 1;
    }
    static char buf[65536];
    bool first = true;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int n = poll(&p, 1, first ? wait : idle);
        if (n <= 0)
            break;
        ssize_t k = recv(fd, buf, sizeof buf, 0);
        if (k < 0) {
            perror("udp_recv");
            return 1;
        }
        fwrite(buf, 1, (size_t)k, stdout);
        first = false;
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
