/* A 10 MiB message through an AMQP 0-9-1 broker with librabbitmq (rabbitmq-c), checked byte by
 * byte (issue 4). The body crosses the broker as many body frames in both directions: librabbitmq
 * splits it by the negotiated frame_max on publish, and this program reads the delivery frame by
 * frame, checking that no body frame exceeds frame_max and counting them. The message carries a
 * headers table with every field type librabbitmq can write, doubles included (pika 1.2 cannot
 * send those), and that table must come back unchanged.
 *
 *   sy_amqp_large_message HOST PORT [SIZE [FRAME_MAX]]
 *     SIZE       body bytes (default 10485760)
 *     FRAME_MAX  frame_max to ask for at tune (default 131072; 4096 is the protocol minimum)
 *
 * Exit status 0 when everything matched; otherwise 1 and one line on stderr saying what failed.
 * Every wait is bounded (10 s to connect, 30 s per frame).
 */
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#define CHANNEL 1
#define WAIT_SECONDS 30

static void fail(const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    fputs("amqp_large_message: ", stderr);
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
    va_end(args);
    exit(1);
}

/* The expected body: a xorshift stream, so that a shifted, dropped or repeated frame cannot
 * still match (a repeating pattern could). */
static uint8_t body_byte(uint64_t *state) {
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return (uint8_t)(x >> 24);
}

static const char *reply_text(amqp_rpc_reply_t r) {
    static char text[512];
    switch (r.reply_type) {
        case AMQP_RESPONSE_NORMAL:
            return "ok";
        case AMQP_RESPONSE_NONE:
            return "no reply";
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            return amqp_error_string2(r.library_error);
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            break;
    }
    if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        const amqp_connection_close_t *c = r.reply.decoded;
        snprintf(text, sizeof text, "connection.close %u %.*s", c->reply_code,
                 (int)c->reply_text.len, (const char *)c->reply_text.bytes);
    } else if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        const amqp_channel_close_t *c = r.reply.decoded;
        snprintf(text, sizeof text, "channel.close %u %.*s", c->reply_code,
                 (int)c->reply_text.len, (const char *)c->reply_text.bytes);
    } else {
        snprintf(text, sizeof text, "server method 0x%08x", r.reply.id);
    }
    return text;
}

static void check_rpc(amqp_connection_state_t conn, const char *what) {
    amqp_rpc_reply_t r = amqp_get_rpc_reply(conn);
    if (r.reply_type != AMQP_RESPONSE_NORMAL) fail("%s: %s", what, reply_text(r));
}

static void wait_frame(amqp_connection_state_t conn, amqp_frame_t *frame, const char *what) {
    struct timeval timeout = {WAIT_SECONDS, 0};
    int status = amqp_simple_wait_frame_noblock(conn, frame, &timeout);
    if (status == AMQP_STATUS_TIMEOUT) fail("%s: nothing within %d s", what, WAIT_SECONDS);
    if (status != AMQP_STATUS_OK) fail("%s: %s", what, amqp_error_string2(status));
    if (frame->frame_type == AMQP_FRAME_METHOD &&
        (frame->payload.method.id == AMQP_CONNECTION_CLOSE_METHOD ||
         frame->payload.method.id == AMQP_CHANNEL_CLOSE_METHOD)) {
        amqp_rpc_reply_t r = {AMQP_RESPONSE_SERVER_EXCEPTION, frame->payload.method, 0};
        fail("%s: the broker sent %s", what, reply_text(r));
    }
}

/* ---- the headers table ---------------------------------------------------------------- */

enum { kHeaderCount = 18, kNestedCount = 2, kArrayCount = 3 };

static amqp_table_entry_t nested_entries[kNestedCount];
static amqp_field_value_t array_values[kArrayCount];
static amqp_table_entry_t header_entries[kHeaderCount];

static amqp_field_value_t field(char kind) {
    amqp_field_value_t v;
    memset(&v, 0, sizeof v);
    v.kind = (uint8_t)kind;
    return v;
}

static amqp_table_entry_t entry(const char *key, amqp_field_value_t value) {
    amqp_table_entry_t e = {amqp_cstring_bytes(key), value};
    return e;
}

static amqp_table_t build_headers(void) {
    amqp_field_value_t v;
    int n = 0;
    v = field(AMQP_FIELD_KIND_UTF8), v.value.bytes = amqp_cstring_bytes("inner value");
    nested_entries[0] = entry("text", v);
    v = field(AMQP_FIELD_KIND_I32), v.value.i32 = -12;
    nested_entries[1] = entry("level", v);
    v = field(AMQP_FIELD_KIND_I64), v.value.i64 = 1;
    array_values[0] = v;
    v = field(AMQP_FIELD_KIND_UTF8), v.value.bytes = amqp_cstring_bytes("two");
    array_values[1] = v;
    v = field(AMQP_FIELD_KIND_F64), v.value.f64 = 3.0;
    array_values[2] = v;

    v = field(AMQP_FIELD_KIND_UTF8), v.value.bytes = amqp_cstring_bytes("plant-1 \xc3\xa9");
    header_entries[n++] = entry("str", v);
    v = field(AMQP_FIELD_KIND_BOOLEAN), v.value.boolean = 1;
    header_entries[n++] = entry("yes", v);
    v = field(AMQP_FIELD_KIND_BOOLEAN), v.value.boolean = 0;
    header_entries[n++] = entry("no", v);
    v = field(AMQP_FIELD_KIND_I8), v.value.i8 = -8;
    header_entries[n++] = entry("i8", v);
    v = field(AMQP_FIELD_KIND_U8), v.value.u8 = 200;
    header_entries[n++] = entry("u8", v);
    v = field(AMQP_FIELD_KIND_I16), v.value.i16 = -16000;
    header_entries[n++] = entry("i16", v);
    v = field(AMQP_FIELD_KIND_U16), v.value.u16 = 60000;
    header_entries[n++] = entry("u16", v);
    v = field(AMQP_FIELD_KIND_I32), v.value.i32 = -2000000000;
    header_entries[n++] = entry("i32", v);
    v = field(AMQP_FIELD_KIND_U32), v.value.u32 = 4000000000u;
    header_entries[n++] = entry("u32", v);
    v = field(AMQP_FIELD_KIND_I64), v.value.i64 = -(INT64_C(1) << 40);
    header_entries[n++] = entry("i64", v);
    v = field(AMQP_FIELD_KIND_F32), v.value.f32 = 1.5f;
    header_entries[n++] = entry("f32", v);
    v = field(AMQP_FIELD_KIND_F64), v.value.f64 = -273.15;
    header_entries[n++] = entry("f64", v);
    v = field(AMQP_FIELD_KIND_DECIMAL), v.value.decimal.decimals = 2, v.value.decimal.value = 314;
    header_entries[n++] = entry("decimal", v);
    v = field(AMQP_FIELD_KIND_TIMESTAMP), v.value.u64 = 1700000000;
    header_entries[n++] = entry("timestamp", v);
    v = field(AMQP_FIELD_KIND_BYTES), v.value.bytes.len = 3, v.value.bytes.bytes = "\x00\xff\x10";
    header_entries[n++] = entry("bytes", v);
    v = field(AMQP_FIELD_KIND_VOID);
    header_entries[n++] = entry("void", v);
    v = field(AMQP_FIELD_KIND_TABLE);
    v.value.table.num_entries = kNestedCount;
    v.value.table.entries = nested_entries;
    header_entries[n++] = entry("nested", v);
    v = field(AMQP_FIELD_KIND_ARRAY);
    v.value.array.num_entries = kArrayCount;
    v.value.array.entries = array_values;
    header_entries[n++] = entry("array", v);

    amqp_table_t t = {n, header_entries};
    return t;
}

static int same_bytes(amqp_bytes_t a, amqp_bytes_t b) {
    return a.len == b.len && (a.len == 0 || memcmp(a.bytes, b.bytes, a.len) == 0);
}

static int same_table(const amqp_table_t *a, const amqp_table_t *b, char *where, size_t size);

static int same_value(const amqp_field_value_t *a, const amqp_field_value_t *b, char *where,
                      size_t size) {
    if (a->kind != b->kind) {
        snprintf(where + strlen(where), size - strlen(where), ": kind '%c' came back as '%c'",
                 a->kind, b->kind);
        return 0;
    }
    switch (a->kind) {
        case AMQP_FIELD_KIND_BOOLEAN: return a->value.boolean == b->value.boolean;
        case AMQP_FIELD_KIND_I8: return a->value.i8 == b->value.i8;
        case AMQP_FIELD_KIND_U8: return a->value.u8 == b->value.u8;
        case AMQP_FIELD_KIND_I16: return a->value.i16 == b->value.i16;
        case AMQP_FIELD_KIND_U16: return a->value.u16 == b->value.u16;
        case AMQP_FIELD_KIND_I32: return a->value.i32 == b->value.i32;
        case AMQP_FIELD_KIND_U32: return a->value.u32 == b->value.u32;
        case AMQP_FIELD_KIND_I64: return a->value.i64 == b->value.i64;
        case AMQP_FIELD_KIND_U64:
        case AMQP_FIELD_KIND_TIMESTAMP: return a->value.u64 == b->value.u64;
        case AMQP_FIELD_KIND_F32: return memcmp(&a->value.f32, &b->value.f32, 4) == 0;
        case AMQP_FIELD_KIND_F64: return memcmp(&a->value.f64, &b->value.f64, 8) == 0;
        case AMQP_FIELD_KIND_DECIMAL:
            return a->value.decimal.decimals == b->value.decimal.decimals &&
                   a->value.decimal.value == b->value.decimal.value;
        case AMQP_FIELD_KIND_UTF8:
        case AMQP_FIELD_KIND_BYTES: return same_bytes(a->value.bytes, b->value.bytes);
        case AMQP_FIELD_KIND_VOID: return 1;
        case AMQP_FIELD_KIND_TABLE:
            return same_table(&a->value.table, &b->value.table, where, size);
        case AMQP_FIELD_KIND_ARRAY:
            if (a->value.array.num_entries != b->value.array.num_entries) return 0;
            for (int i = 0; i < a->value.array.num_entries; ++i) {
                if (!same_value(&a->value.array.entries[i], &b->value.array.entries[i], where,
                                size)) {
                    return 0;
                }
            }
            return 1;
        default: return 0;
    }
}

/* Every entry of a is in b with the same kind and value, and b has nothing else. On a
 * difference, where names the key path. */
static int same_table(const amqp_table_t *a, const amqp_table_t *b, char *where, size_t size) {
    if (a->num_entries != b->num_entries) {
        snprintf(where + strlen(where), size - strlen(where), " has %d entries, sent %d",
                 b->num_entries, a->num_entries);
        return 0;
    }
    for (int i = 0; i < a->num_entries; ++i) {
        const amqp_table_entry_t *want = &a->entries[i];
        const amqp_table_entry_t *got = NULL;
        for (int j = 0; j < b->num_entries && got == NULL; ++j) {
            if (same_bytes(want->key, b->entries[j].key)) got = &b->entries[j];
        }
        size_t len = strlen(where);
        snprintf(where + len, size - len, ".%.*s", (int)want->key.len,
                 (const char *)want->key.bytes);
        if (got == NULL) {
            snprintf(where + strlen(where), size - strlen(where), " is missing");
            return 0;
        }
        if (!same_value(&want->value, &got->value, where, size)) return 0;
        where[len] = '\0';
    }
    return 1;
}

/* ---- the round trip --------------------------------------------------------------------- */

static amqp_connection_state_t connect_broker(const char *host, int port, int frame_max) {
    amqp_connection_state_t conn = amqp_new_connection();
    amqp_socket_t *sock = amqp_tcp_socket_new(conn);
    if (sock == NULL) fail("cannot create a TCP socket");
    struct timeval timeout = {10, 0};
    int status = amqp_socket_open_noblock(sock, host, port, &timeout);
    if (status != AMQP_STATUS_OK) {
        fail("cannot connect to %s:%d: %s", host, port, amqp_error_string2(status));
    }
    amqp_rpc_reply_t r = amqp_login(conn, "/", 0, frame_max, 0, AMQP_SASL_METHOD_PLAIN, "guest",
                                    "guest");
    if (r.reply_type != AMQP_RESPONSE_NORMAL) fail("login: %s", reply_text(r));
    if (amqp_get_frame_max(conn) != frame_max) {
        fail("asked for frame_max %d, negotiated %d", frame_max, amqp_get_frame_max(conn));
    }
    amqp_channel_open(conn, CHANNEL);
    check_rpc(conn, "channel.open");
    return conn;
}

static void publish(amqp_connection_state_t conn, amqp_bytes_t queue, amqp_bytes_t body,
                    amqp_table_t headers) {
    amqp_confirm_select(conn, CHANNEL);
    check_rpc(conn, "confirm.select");
    amqp_basic_properties_t props;
    memset(&props, 0, sizeof props);
    props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG |
                   AMQP_BASIC_HEADERS_FLAG | AMQP_BASIC_MESSAGE_ID_FLAG;
    props.content_type = amqp_cstring_bytes("application/octet-stream");
    props.delivery_mode = 2;
    props.headers = headers;
    props.message_id = amqp_cstring_bytes("large-1");
    int status = amqp_basic_publish(conn, CHANNEL, amqp_empty_bytes, queue, 1, 0, &props, body);
    if (status != AMQP_STATUS_OK) fail("basic.publish: %s", amqp_error_string2(status));
    for (;;) {
        amqp_frame_t frame;
        wait_frame(conn, &frame, "waiting for the publisher confirm");
        if (frame.frame_type != AMQP_FRAME_METHOD) continue;
        if (frame.payload.method.id == AMQP_BASIC_RETURN_METHOD) {
            fail("the broker returned the message (basic.return) instead of queueing it");
        }
        if (frame.payload.method.id == AMQP_BASIC_NACK_METHOD) fail("the broker nacked it");
        if (frame.payload.method.id == AMQP_BASIC_ACK_METHOD) {
            const amqp_basic_ack_t *ack = frame.payload.method.decoded;
            if (ack->delivery_tag != 1) fail("confirm for tag %llu, want 1",
                                             (unsigned long long)ack->delivery_tag);
            return;
        }
    }
}

/* Reads deliver, content header and body frames; checks properties, every byte, and the size
 * of every body frame. Returns the number of body frames. */
static size_t receive(amqp_connection_state_t conn, amqp_bytes_t queue, size_t size,
                      const amqp_table_t *headers, uint64_t *delivery_tag) {
    amqp_basic_consume(conn, CHANNEL, queue, amqp_cstring_bytes("large-consumer"), 0, 0, 0,
                       amqp_empty_table);
    check_rpc(conn, "basic.consume");
    amqp_frame_t frame;
    do {
        wait_frame(conn, &frame, "waiting for basic.deliver");
    } while (frame.frame_type != AMQP_FRAME_METHOD ||
             frame.payload.method.id != AMQP_BASIC_DELIVER_METHOD);
    *delivery_tag = ((const amqp_basic_deliver_t *)frame.payload.method.decoded)->delivery_tag;

    wait_frame(conn, &frame, "waiting for the content header");
    if (frame.frame_type != AMQP_FRAME_HEADER) fail("frame type %u after basic.deliver, want "
                                                    "a content header", frame.frame_type);
    if (frame.payload.properties.body_size != size) {
        fail("content header says %llu body bytes, sent %zu",
             (unsigned long long)frame.payload.properties.body_size, size);
    }
    const amqp_basic_properties_t *props = frame.payload.properties.decoded;
    if (!(props->_flags & AMQP_BASIC_HEADERS_FLAG)) fail("the headers table was lost");
    char where[256] = "headers";
    if (!same_table(headers, &props->headers, where, sizeof where)) {
        fail("%s: not what was sent", where);
    }
    if (!(props->_flags & AMQP_BASIC_MESSAGE_ID_FLAG) ||
        !same_bytes(props->message_id, amqp_cstring_bytes("large-1"))) {
        fail("message_id lost or changed");
    }
    amqp_maybe_release_buffers(conn);

    const size_t max_payload = (size_t)amqp_get_frame_max(conn) - 8;  /* 7 header + 1 end */
    uint64_t state = 0x9e3779b97f4a7c15ull;
    size_t received = 0, frames = 0;
    while (received < size) {
        wait_frame(conn, &frame, "waiting for a body frame");
        if (frame.frame_type != AMQP_FRAME_BODY) {
            fail("frame type %u after %zu of %zu body bytes", frame.frame_type, received, size);
        }
        const amqp_bytes_t part = frame.payload.body_fragment;
        if (part.len > max_payload) {
            fail("body frame of %zu bytes, more than frame_max allows (%zu)", part.len,
                 max_payload);
        }
        if (received + part.len > size) fail("more body than the content header announced");
        const uint8_t *bytes = part.bytes;
        for (size_t i = 0; i < part.len; ++i) {
            uint8_t want = body_byte(&state);
            if (bytes[i] != want) {
                fail("byte %zu is 0x%02x, sent 0x%02x (body frame %zu)", received + i, bytes[i],
                     want, frames + 1);
            }
        }
        received += part.len;
        ++frames;
        amqp_maybe_release_buffers(conn);
    }
    return frames;
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 5) {
        fprintf(stderr, "usage: %s HOST PORT [SIZE [FRAME_MAX]]\n", argv[0]);
        return 2;
    }
    const char *host = argv[1];
    const int port = atoi(argv[2]);
    const size_t size = argc > 3 ? strtoull(argv[3], NULL, 10) : (size_t)10 << 20;
    const int frame_max = argc > 4 ? atoi(argv[4]) : 131072;

    amqp_connection_state_t conn = connect_broker(host, port, frame_max);
    amqp_queue_declare_ok_t *ok =
        amqp_queue_declare(conn, CHANNEL, amqp_empty_bytes, 0, 0, 1, 0, amqp_empty_table);
    check_rpc(conn, "queue.declare");
    amqp_bytes_t queue = amqp_bytes_malloc_dup(ok->queue);

    uint8_t *data = malloc(size ? size : 1);
    if (data == NULL) fail("out of memory for %zu bytes", size);
    uint64_t state = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < size; ++i) data[i] = body_byte(&state);
    amqp_bytes_t body = {size, data};
    amqp_table_t headers = build_headers();

    publish(conn, queue, body, headers);
    free(data);
    uint64_t tag = 0;
    size_t frames = receive(conn, queue, size, &headers, &tag);
    if (amqp_basic_ack(conn, CHANNEL, tag, 0) != AMQP_STATUS_OK) fail("basic.ack failed");

    /* The ack went through: the queue is empty now (basic.get-empty). */
    amqp_basic_cancel(conn, CHANNEL, amqp_cstring_bytes("large-consumer"));
    check_rpc(conn, "basic.cancel");
    amqp_rpc_reply_t r = amqp_basic_get(conn, CHANNEL, queue, 1);
    if (r.reply_type != AMQP_RESPONSE_NORMAL) fail("basic.get: %s", reply_text(r));
    if (r.reply.id != AMQP_BASIC_GET_EMPTY_METHOD) fail("the queue still holds a message");

    amqp_bytes_free(queue);
    r = amqp_channel_close(conn, CHANNEL, AMQP_REPLY_SUCCESS);
    if (r.reply_type != AMQP_RESPONSE_NORMAL) fail("channel.close: %s", reply_text(r));
    r = amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    if (r.reply_type != AMQP_RESPONSE_NORMAL) fail("connection.close: %s", reply_text(r));
    amqp_destroy_connection(conn);
    printf("ok: %zu bytes in %zu body frames (frame_max %d), %d headers intact\n", size, frames,
           frame_max, headers.num_entries);
    return 0;
}
