/*
 * cli_replay.c -- pelorus replay: serves an NMEA file over TCP or UDP (the
 * work is pel_replay's, src/live/replay.c; this reads options and prints).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help[] = "usage: pelorus replay FILE --serve tcp://HOST:PORT [--speed X] [--rate N]\n"
                           "       pelorus replay FILE --serve udp://HOST:PORT [--speed X] [--rate N]\n"
                           "\n"
                           "Sends the lines of an NMEA file (plain or .gz) as they are, each ended by\n"
                           "LF (a CR before it dropped): for testing and demonstrating pelorus watch\n"
                           "or any AIS consumer.\n"
                           "\n"
                           "  tcp://HOST:PORT  listens there (PORT 0: any free port; the address is\n"
                           "                   said on standard error) and writes the whole file to\n"
                           "                   the first client, then closes and exits.  A client that\n"
                           "                   leaves before the end is followed by the next one, from\n"
                           "                   the first line not completely written to the one before.\n"
                           "  udp://HOST:PORT  sends each line as one datagram there.\n"
                           "\n"
                           "options:\n"
                           "  --serve URL   where to send (required)\n"
                           "  --speed X     at the file's own times, X times faster: a line's time is\n"
                           "                its tag block's c: (seconds or milliseconds), else a time\n"
                           "                before the sentence; untimed lines follow the one before,\n"
                           "                a time earlier than one already sent goes at once\n"
                           "  --rate N      at most N lines a second (UDP without --speed or --rate:\n"
                           "                20000)\n"
                           "  -h, --help    this help\n"
                           "Without --speed or --rate, TCP goes as fast as the client reads.\n"
                           "A summary (lines, seconds, clients) goes to standard error at the end.\n"
                           "\n"
                           "exit status: 0 done; 1 the file or the network failed; 2 usage\n";

static void on_ready(void *ud, const char *url) {
    fprintf(stderr, "pelorus replay: %s %s\n", *(const bool *)ud ? "sending to" : "serving", url);
}

int cli_replay(int argc, char **argv) {
    const char *file = NULL, *serve = NULL;
    pel_replay_opts o = {0};
    enum { O_HELP, O_SERVE, O_SPEED, O_RATE };
    static const cli_opt opts[] = {
        [O_HELP] = {"--help", "-h", false},
        [O_SERVE] = {"--serve", NULL, true},
        [O_SPEED] = {"--speed", NULL, true},
        [O_RATE] = {"--rate", NULL, true},
        {NULL, NULL, false},
    };
    cli_args g;
    cli_args_init(&g, "replay", argc, argv);
    const char *v;
    for (int k; (k = cli_next(&g, opts, &v)) != CLI_END;) {
        switch (k) {
        case CLI_BAD:
            return 2;
        case CLI_ARG:
            if (file) {
                fprintf(stderr, "pelorus replay: one FILE only, not also %s (see --help)\n", v);
                return 2;
            }
            file = v;
            break;
        case O_HELP:
            fputs(help, stdout);
            return 0;
        case O_SERVE:
            serve = v;
            break;
        case O_SPEED:
            if (!cli_real("replay", "--speed", v, 1e-6, 1e6, "(times real time)", &o.speed))
                return 2;
            break;
        case O_RATE:
            if (!cli_real("replay", "--rate", v, 1e-3, 1e7, "lines a second", &o.rate))
                return 2;
            break;
        }
    }
    if (!file) {
        fprintf(stderr, "pelorus replay: which FILE? (see --help)\n");
        return 2;
    }
    if (!serve) {
        fprintf(stderr, "pelorus replay: where to? --serve tcp://HOST:PORT or udp://HOST:PORT (see --help)\n");
        return 2;
    }
    bool udp = !strncmp(serve, "udp://", 6);
    o.on_ready = on_ready;
    o.ud = &udp;
    pel_replay_stats st;
    pel_error err = {0};
    pel_status rc = pel_replay(file, serve, &o, &st, &err);
    if (rc != PEL_OK) {
        fprintf(stderr, "pelorus replay: %s\n", err.msg[0] ? err.msg : "failed");
        return rc == PEL_ERR_ARG ? 2 : 1;
    }
    fprintf(stderr, "pelorus replay: %llu lines sent in %.2f s", (unsigned long long)st.lines, st.seconds);
    if (!udp)
        fprintf(stderr, " to %llu client%s", (unsigned long long)st.clients, st.clients == 1 ? "" : "s");
    if (st.resent)
        fprintf(stderr, "; %llu line%s begun to a client that left sent again whole", (unsigned long long)st.resent,
                st.resent == 1 ? "" : "s");
    if (st.skipped)
        fprintf(stderr, "; %llu line%s too long for a datagram skipped", (unsigned long long)st.skipped,
                st.skipped == 1 ? "" : "s");
    fputc('\n', stderr);
    return 0;
}
