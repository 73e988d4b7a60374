/*
 * fuzz_decode.c -- libFuzzer target over the whole decode path: the input
 * is split into lines and fed to a decoder (sentence layer, tag blocks,
 * reassembly, message decoding), every message is written as JSON scaled
 * and unscaled, and the raw bytes are also decoded as a payload directly.
 * Built with clang by `make fuzz`; replayed over fuzz/corpus by
 * replay_main.c in every `make test`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pelorus.h"

static char json[PEL_AIS_JSON_MAX];

static int on_msg(void *ud, const pel_ais_msg *m) {
    (void)ud;
    if (pel_ais_json(m, 0, json, sizeof json) == 0)
        abort(); /* the documented maximum must always suffice */
    if (pel_ais_json(m, PEL_JSON_UNSCALED, json, sizeof json) == 0)
        abort();
    pel_ais_json(m, 0, json, 40); /* too small: must fail cleanly */
    return 0;
}

static void on_reject(void *ud, const pel_reject_info *r) {
    (void)ud;
    if (r->why <= PEL_REJ_NONE || r->why >= PEL_REJ__COUNT)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static pel_ais_msg msg;
    pel_decoder_opts o = {.max_pending = 8, .frag_max_lines = 50};
    pel_decode_cb cb = {on_msg, on_reject, NULL};
    pel_decoder *d = pel_decoder_new(&o, &cb);
    if (!d)
        return 0;
    const char *p = (const char *)data, *end = p + size;
    uint64_t line = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        pel_decoder_line(d, p, (size_t)(le - p), ++line);
        p = nl ? nl + 1 : end;
    }
    pel_decoder_flush(d);
    pel_decoder_free(d);

    /* the raw bytes as a payload */
    size_t n = size < sizeof msg.bits ? size : sizeof msg.bits;
    memcpy(msg.bits, data, n);
    if (pel_ais_decode_bits(&msg, msg.bits, (int)(n * 8)) == PEL_REJ_NONE)
        on_msg(NULL, &msg);

    int64_t ms;
    pel_parse_time((const char *)data, size, &ms);
    return 0;
}
