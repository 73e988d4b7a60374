/*
 * unit_outfile.c -- util/outfile.h: a file is replaced whole or not at all
 * (commit, discard, a write error, kill -9 in the middle), never written
 * through a symbolic link at its name, keeps its mode; devices, FIFOs and
 * the names of open descriptors (-, /dev/stdout, /dev/fd/N) are written
 * directly, and their write errors (/dev/full) are reported.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "util/outfile.h"

static char dir[256];

static char *path_of(const char *name) {
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static void put(const char *name, const char *text) {
    FILE *f = fopen(path_of(name), "w");
    fputs(text, f);
    fclose(f);
}

/* The file's contents ("" when absent, up to 4 KiB). */
static const char *get(const char *path) {
    static char buf[4096];
    buf[0] = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return "(none)";
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

/* Files in dir whose name starts with prefix. */
static int count(const char *prefix) {
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && !strncmp(e->d_name, prefix, strlen(prefix));
    if (d)
        closedir(d);
    return n;
}

int main(void) {
    snprintf(dir, sizeof dir, "%s/unit_outfile.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir)) {
        printf("unit_outfile: cannot create a temporary directory\n");
        return 1;
    }
    outfile o;
    pel_error err = {0};

    /* a new file: nothing at the name until the commit, nothing left over */
    CHECK(outfile_open(&o, path_of("a.txt"), &err) == PEL_OK, "open a new file: %s", err.msg);
    fputs("new\n", o.f);
    CHECK(!strcmp(get(path_of("a.txt")), "(none)"), "nothing at the name before the commit");
    CHECK(count(".a.txt.") == 1, "one temporary file beside it, named .a.txt.*.tmp");
    CHECK(outfile_commit(&o, &err) == PEL_OK, "commit: %s", err.msg);
    CHECK(!strcmp(get(path_of("a.txt")), "new\n"), "committed content, got [%s]", get(path_of("a.txt")));
    CHECK(count(".a.txt.") == 0, "no temporary file left after the commit");
    CHECK(o.f == NULL && o.path == NULL && o.tmp == NULL, "o closed after the commit");

    /* replacing: the old content until the commit, the mode kept */
    put("b.txt", "old\n");
    chmod(path_of("b.txt"), 0640);
    CHECK(outfile_open(&o, path_of("b.txt"), &err) == PEL_OK, "open an existing file: %s", err.msg);
    fputs("replaced\n", o.f);
    fflush(o.f);
    CHECK(!strcmp(get(path_of("b.txt")), "old\n"), "old content until the commit");
    CHECK(outfile_commit(&o, &err) == PEL_OK, "commit: %s", err.msg);
    CHECK(!strcmp(get(path_of("b.txt")), "replaced\n"), "new content after the commit");
    struct stat sb;
    CHECK(stat(path_of("b.txt"), &sb) == 0 && (sb.st_mode & 0777) == 0640, "mode kept: %o", sb.st_mode & 0777);

    /* discard: the previous file stays, the temporary goes */
    CHECK(outfile_open(&o, path_of("b.txt"), &err) == PEL_OK, "open again: %s", err.msg);
    fputs("half", o.f);
    outfile_discard(&o);
    CHECK(!strcmp(get(path_of("b.txt")), "replaced\n"), "discard keeps the previous file");
    CHECK(count(".b.txt.") == 0, "discard removes the temporary file");

    /* kill -9 in the middle of writing: the previous file is intact */
    pid_t pid = fork();
    if (pid == 0) {
        outfile k;
        if (outfile_open(&k, path_of("b.txt"), NULL) != PEL_OK)
            _exit(1);
        for (int i = 0; i < 100000; i++)
            fputs("partial line of a killed writer\n", k.f);
        fflush(k.f);
        raise(SIGKILL);
        _exit(2);
    }
    int ws;
    waitpid(pid, &ws, 0);
    CHECK(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL, "the writer was killed");
    CHECK(!strcmp(get(path_of("b.txt")), "replaced\n"), "after kill -9 the previous file is intact");
    CHECK(count(".b.txt.") == 1, "the killed writer left its temporary file (%d), not the name", count(".b.txt."));

    /* a symbolic link at the name is never written through */
    put("victim.txt", "precious\n");
    CHECK(symlink(path_of("victim.txt"), path_of("link.txt")) == 0, "symlink made");
    err.msg[0] = 0;
    CHECK(outfile_open(&o, path_of("link.txt"), &err) == PEL_ERR_IO, "a link to a file is refused");
    CHECK(strstr(err.msg, "symbolic link") != NULL, "the message says why: %s", err.msg);
    CHECK(o.f == NULL, "nothing open after a refusal");
    outfile_discard(&o); /* harmless */
    CHECK(!strcmp(get(path_of("victim.txt")), "precious\n"), "the link's target untouched");
    CHECK(symlink(path_of("nowhere.txt"), path_of("dangling.txt")) == 0, "dangling symlink made");
    CHECK(outfile_open(&o, path_of("dangling.txt"), &err) == PEL_ERR_IO, "a dangling link is refused");
    CHECK(!strcmp(get(path_of("nowhere.txt")), "(none)"), "nothing created through the dangling link");
    /* a directory */
    mkdir(path_of("sub"), 0777);
    CHECK(outfile_open(&o, path_of("sub"), &err) == PEL_ERR_IO && strstr(err.msg, "directory"),
          "a directory is refused: %s", err.msg);
    CHECK(outfile_open(&o, path_of("missing/x.txt"), &err) == PEL_ERR_IO, "a missing directory fails: %s", err.msg);

    /* devices: written directly, their errors reported */
    CHECK(outfile_open(&o, "/dev/null", &err) == PEL_OK && o.tmp == NULL, "/dev/null opens directly");
    fputs("x", o.f);
    CHECK(outfile_commit(&o, &err) == PEL_OK, "/dev/null commits: %s", err.msg);
    CHECK(symlink("/dev/null", path_of("null-link")) == 0, "link to /dev/null made");
    CHECK(outfile_open(&o, path_of("null-link"), &err) == PEL_OK, "a link to a device is written through");
    CHECK(outfile_commit(&o, &err) == PEL_OK, "and commits");
    if (access("/dev/full", W_OK) == 0) {
        CHECK(outfile_open(&o, "/dev/full", &err) == PEL_OK, "/dev/full opens");
        fputs("lost\n", o.f);
        err.msg[0] = 0;
        CHECK(outfile_commit(&o, &err) == PEL_ERR_IO, "/dev/full: the lost write is an error");
        CHECK(strstr(err.msg, "/dev/full") && strstr(err.msg, strerror(ENOSPC)), "named with its reason: %s", err.msg);
    }

    /* a FIFO, read by a child */
    CHECK(mkfifo(path_of("fifo"), 0600) == 0, "fifo made");
    pid = fork();
    if (pid == 0) {
        FILE *r = fopen(path_of("fifo"), "r");
        char line[64] = "";
        if (!r || !fgets(line, sizeof line, r))
            _exit(1);
        _exit(strcmp(line, "through the fifo\n") ? 2 : 0);
    }
    CHECK(outfile_open(&o, path_of("fifo"), &err) == PEL_OK && o.tmp == NULL, "a FIFO opens directly: %s", err.msg);
    fputs("through the fifo\n", o.f);
    CHECK(outfile_commit(&o, &err) == PEL_OK, "FIFO commit: %s", err.msg);
    waitpid(pid, &ws, 0);
    CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "the reader got the line (%d)", ws);

    /* the names of descriptors: -, /dev/stdout, /dev/fd/N write to that descriptor */
    static const char *const names[] = {"-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        put("fd.txt", "");
        pid = fork();
        if (pid == 0) {
            int fd = open(path_of("fd.txt"), O_WRONLY | O_APPEND);
            if (fd < 0 || dup2(fd, 1) < 0)
                _exit(1);
            if (write(1, "before\n", 7) != 7)
                _exit(2);
            outfile d;
            if (outfile_open(&d, names[i], NULL) != PEL_OK || d.tmp)
                _exit(3);
            fputs("through the name\n", d.f);
            if (outfile_commit(&d, NULL) != PEL_OK)
                _exit(4);
            if (write(1, "after\n", 6) != 6) /* fd 1 itself stays open */
                _exit(5);
            _exit(0);
        }
        waitpid(pid, &ws, 0);
        CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "%s: child status %d", names[i], ws);
        CHECK(!strcmp(get(path_of("fd.txt")), "before\nthrough the name\nafter\n"),
              "%s: appended to the descriptor: [%s]", names[i], get(path_of("fd.txt")));
    }
    CHECK(count(".") == 1, "no temporary files left but the killed writer's (%d)", count("."));

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("unit_outfile: could not remove %s\n", dir);
    printf("unit_outfile: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
