/* sy_amqp_load: an AMQP 0-9-1 load generator on librabbitmq, the same client for Switchyard and
 * RabbitMQ (bench/amqp_throughput.sh). It must not be what limits the rate, so it is C, one
 * connection and one thread per publisher plus one consumer thread, and it pipelines: with
 * confirms a publisher keeps up to --window messages unconfirmed and reads the broker's
 * basic.ack/nack frames as they come (multiple=true included) instead of waiting per message.
 *
 *   sy_amqp_load --port N [--host 127.0.0.1] [--publishers 1] [--msgs 200000] [--size 100]
 *                [--persistent] [--window 1000] [--prefetch 1000] [--queue NAME] [--timeout 10]
 *
 *   transient (default)  non-durable queue, delivery_mode 1, no confirms
 *   --persistent         durable queue, delivery_mode 2, publisher confirms with --window
 *
 * The queue is declared and purged first; one consumer (manual acks, multiple=true every
 * prefetch/2 deliveries) drains it while the publishers run; --msgs is the total over all
 * publishers. Each body starts with the publisher number, a sequence number and the send time,
 * so the consumer counts loss and duplicates and measures latency. It gives up after --timeout
 * seconds without progress. Output: one summary line on stderr, one JSON object on stdout:
 *   publish_rate  publishes completed per second, first publish to last completion
 *                 (transient: written to the socket; persistent: confirmed by basic.ack)
 *   deliver_rate  messages received per second, first to last receive
 *   sent confirmed nacked received lost duplicates p50_us p99_us publish_s deliver_s active_s
 *   client_cpu_s  this process's CPU time (user + system, all threads)
 * Exit status 0 when the run completed (loss is reported, not fatal), 1 otherwise.
 */
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>

#define CHANNEL 1
#define STAMP_BYTES 16 /* publisher (4), sequence (4), send time in ns (8) */
#define LATENCY_EVERY 8

typedef struct {
    const char *host;
    int port;
    int publishers;
    long msgs;
    size_t size;
    int persistent;
    int window;
    int prefetch;
    const char *queue;
    int timeout_s;
} Options;

typedef struct {
    const Options *opt;
    int number;
    long count;
    long sent, confirmed, nacked;
    int64_t first_ns, last_ns;
    char error[256];
} Publisher;

typedef struct {
    const Options *opt;
    long expected;
    long received, duplicates, unique;
    uint8_t **seen; /* per publisher, one byte per sequence number */
    long *per_publisher;
    uint32_t *latency_us;
    long latency_count;
    int64_t first_ns, last_ns;
    char error[256];
    atomic_int ready;
} Consumer;

static atomic_int g_publishers_done;

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void set_error(char *buf, const char *fmt, ...) {
    if (buf[0] != '\0') return; /* keep the first */
    va_list args;
    va_start(args, fmt);
    vsnprintf(buf, 256, fmt, args);
    va_end(args);
}

static const char *reply_text(amqp_rpc_reply_t r) {
    static _Thread_local char text[256];
    if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION) return amqp_error_string2(r.library_error);
    if (r.reply_type != AMQP_RESPONSE_SERVER_EXCEPTION) return "no reply";
    const amqp_bytes_t *t = NULL;
    unsigned code = 0;
    if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        const amqp_connection_close_t *c = r.reply.decoded;
        t = &c->reply_text, code = c->reply_code;
    } else if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        const amqp_channel_close_t *c = r.reply.decoded;
        t = &c->reply_text, code = c->reply_code;
    }
    if (t == NULL) return "unexpected method";
    snprintf(text, sizeof text, "%u %.*s", code, (int)t->len, (const char *)t->bytes);
    return text;
}

/* Connects, logs in and opens CHANNEL; NULL with err set on failure. */
static amqp_connection_state_t open_connection(const Options *opt, char *err) {
    amqp_connection_state_t conn = amqp_new_connection();
    amqp_socket_t *sock = amqp_tcp_socket_new(conn);
    struct timeval tv = {opt->timeout_s, 0};
    int status = sock ? amqp_socket_open_noblock(sock, opt->host, opt->port, &tv) : -1;
    if (status != AMQP_STATUS_OK) {
        set_error(err, "connect to %s:%d: %s", opt->host, opt->port, amqp_error_string2(status));
        amqp_destroy_connection(conn);
        return NULL;
    }
    amqp_rpc_reply_t r =
        amqp_login(conn, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest");
    if (r.reply_type == AMQP_RESPONSE_NORMAL) {
        amqp_channel_open(conn, CHANNEL);
        r = amqp_get_rpc_reply(conn);
    }
    if (r.reply_type != AMQP_RESPONSE_NORMAL) {
        set_error(err, "login/channel.open: %s", reply_text(r));
        amqp_destroy_connection(conn);
        return NULL;
    }
    return conn;
}

static void close_connection(amqp_connection_state_t conn) {
    amqp_channel_close(conn, CHANNEL, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
}

/* ---- publisher ---------------------------------------------------------------------------- */

/* Handles one frame on a publisher connection: confirms, or a close that ends the run.
 * Returns 0 to go on, -1 on a fatal frame. */
static int on_publisher_frame(Publisher *p, const amqp_frame_t *f, uint8_t *acked, long *low) {
    if (f->frame_type != AMQP_FRAME_METHOD) return 0;
    const amqp_method_number_t id = f->payload.method.id;
    if (id == AMQP_CONNECTION_CLOSE_METHOD || id == AMQP_CHANNEL_CLOSE_METHOD) {
        amqp_rpc_reply_t r = {AMQP_RESPONSE_SERVER_EXCEPTION, f->payload.method, 0};
        set_error(p->error, "broker closed: %s", reply_text(r));
        return -1;
    }
    if (id != AMQP_BASIC_ACK_METHOD && id != AMQP_BASIC_NACK_METHOD) return 0;
    uint64_t tag;
    int multiple;
    if (id == AMQP_BASIC_ACK_METHOD) {
        const amqp_basic_ack_t *a = f->payload.method.decoded;
        tag = a->delivery_tag, multiple = a->multiple;
    } else {
        const amqp_basic_nack_t *n = f->payload.method.decoded;
        tag = n->delivery_tag, multiple = n->multiple;
    }
    if (tag == 0 || (long)tag > p->sent) {
        set_error(p->error, "confirm for tag %llu, only %ld sent", (unsigned long long)tag,
                  p->sent);
        return -1;
    }
    /* Tags are 1-based; acked[i] is tag i + 1. */
    long from = multiple ? *low : (long)tag - 1;
    for (long i = from; i < (long)tag; ++i) {
        if (acked[i]) continue;
        acked[i] = 1;
        if (id == AMQP_BASIC_ACK_METHOD) {
            ++p->confirmed;
        } else {
            ++p->nacked;
        }
    }
    while (*low < p->sent && acked[*low]) ++*low;
    p->last_ns = now_ns();
    return 0;
}

/* Reads confirm frames: blocking (up to the timeout) when block is set, else only what is
 * already there. Returns -1 on error or timeout. */
static int read_confirms(Publisher *p, amqp_connection_state_t conn, int block, uint8_t *acked,
                         long *low) {
    for (;;) {
        amqp_frame_t frame;
        struct timeval tv = {block ? p->opt->timeout_s : 0, 0};
        int status = amqp_simple_wait_frame_noblock(conn, &frame, &tv);
        if (status == AMQP_STATUS_TIMEOUT) {
            if (!block) return 0;
            set_error(p->error, "no confirm within %d s (%ld of %ld confirmed)",
                      p->opt->timeout_s, p->confirmed + p->nacked, p->sent);
            return -1;
        }
        if (status != AMQP_STATUS_OK) {
            set_error(p->error, "reading confirms: %s", amqp_error_string2(status));
            return -1;
        }
        if (on_publisher_frame(p, &frame, acked, low) != 0) return -1;
        amqp_maybe_release_buffers(conn);
        if (!amqp_frames_enqueued(conn) && !amqp_data_in_buffer(conn)) {
            if (!block) return 0;
            block = 0; /* got at least one frame: now take only what is buffered */
        }
    }
}

static void *publisher_main(void *arg) {
    Publisher *p = arg;
    const Options *opt = p->opt;
    amqp_connection_state_t conn = open_connection(opt, p->error);
    if (conn == NULL) {
        atomic_fetch_add(&g_publishers_done, 1);
        return NULL;
    }
    uint8_t *acked = calloc((size_t)p->count + 1, 1);
    uint8_t *body = calloc(opt->size, 1);
    long low = 0;
    if (opt->persistent) {
        amqp_confirm_select(conn, CHANNEL);
        amqp_rpc_reply_t r = amqp_get_rpc_reply(conn);
        if (r.reply_type != AMQP_RESPONSE_NORMAL) {
            set_error(p->error, "confirm.select: %s", reply_text(r));
            goto done;
        }
    }
    amqp_basic_properties_t props;
    memset(&props, 0, sizeof props);
    props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
    props.delivery_mode = opt->persistent ? 2 : 1;
    const amqp_bytes_t queue = amqp_cstring_bytes(opt->queue);
    p->first_ns = now_ns();
    for (long seq = 0; seq < p->count; ++seq) {
        if (opt->persistent) {
            /* Full window: block for confirms. Otherwise collect what already arrived, every
             * 64 messages (a poll() each time would cost more than the publish). */
            int full = p->sent - p->confirmed - p->nacked >= opt->window;
            if ((full || seq % 64 == 0) && read_confirms(p, conn, full, acked, &low) != 0) {
                goto done;
            }
        }
        uint32_t head[2] = {(uint32_t)p->number, (uint32_t)seq};
        int64_t sent_at = now_ns();
        memcpy(body, head, sizeof head);
        memcpy(body + sizeof head, &sent_at, sizeof sent_at);
        amqp_bytes_t b = {opt->size, body};
        int status = amqp_basic_publish(conn, CHANNEL, amqp_empty_bytes, queue, 0, 0, &props, b);
        if (status != AMQP_STATUS_OK) {
            set_error(p->error, "basic.publish %ld: %s", seq, amqp_error_string2(status));
            goto done;
        }
        ++p->sent;
    }
    if (!opt->persistent) p->last_ns = now_ns();
    while (opt->persistent && p->confirmed + p->nacked < p->sent) {
        if (read_confirms(p, conn, 1, acked, &low) != 0) goto done;
    }
done:
    atomic_fetch_add(&g_publishers_done, 1);
    close_connection(conn);
    free(acked);
    free(body);
    return NULL;
}

/* ---- consumer ----------------------------------------------------------------------------- */

static void on_message(Consumer *c, const uint8_t *stamp, size_t len) {
    int64_t t = now_ns();
    if (c->first_ns == 0) c->first_ns = t;
    c->last_ns = t;
    ++c->received;
    if (len < STAMP_BYTES) return;
    uint32_t head[2];
    int64_t sent_at;
    memcpy(head, stamp, sizeof head);
    memcpy(&sent_at, stamp + sizeof head, sizeof sent_at);
    if (head[0] >= (uint32_t)c->opt->publishers || head[1] >= (uint32_t)c->per_publisher[head[0]]) {
        return; /* not ours: a leftover in the queue */
    }
    uint8_t *seen = &c->seen[head[0]][head[1]];
    if (*seen) {
        ++c->duplicates;
        return;
    }
    *seen = 1;
    ++c->unique;
    if (c->unique % LATENCY_EVERY == 0 && t > sent_at) {
        c->latency_us[c->latency_count++] = (uint32_t)((t - sent_at) / 1000);
    }
}

static void *consumer_main(void *arg) {
    Consumer *c = arg;
    const Options *opt = c->opt;
    amqp_connection_state_t conn = open_connection(opt, c->error);
    if (conn == NULL) {
        atomic_store(&c->ready, -1);
        return NULL;
    }
    amqp_basic_qos(conn, CHANNEL, 0, (uint16_t)opt->prefetch, 0);
    amqp_basic_consume(conn, CHANNEL, amqp_cstring_bytes(opt->queue), amqp_empty_bytes, 0, 0, 0,
                       amqp_empty_table);
    amqp_rpc_reply_t r = amqp_get_rpc_reply(conn);
    if (r.reply_type != AMQP_RESPONSE_NORMAL) {
        set_error(c->error, "basic.consume: %s", reply_text(r));
        atomic_store(&c->ready, -1);
        close_connection(conn);
        return NULL;
    }
    atomic_store(&c->ready, 1);
    const long ack_every = opt->prefetch > 1 ? opt->prefetch / 2 : 1;
    uint64_t last_tag = 0, acked_tag = 0;
    uint8_t stamp[STAMP_BYTES];
    size_t body_left = 0, stamp_len = 0;
    int64_t last_progress = now_ns();
    while (c->unique < c->expected) {
        amqp_frame_t f;
        struct timeval tv = {1, 0};
        int status = amqp_simple_wait_frame_noblock(conn, &f, &tv);
        if (status == AMQP_STATUS_TIMEOUT) {
            if (now_ns() - last_progress > (int64_t)opt->timeout_s * 1000000000) {
                /* Publishers still running (waiting for confirms) are progress elsewhere. */
                if (atomic_load(&g_publishers_done) == opt->publishers) break;
            }
            continue;
        }
        if (status != AMQP_STATUS_OK) {
            set_error(c->error, "consumer: %s", amqp_error_string2(status));
            break;
        }
        if (f.frame_type == AMQP_FRAME_METHOD) {
            if (f.payload.method.id == AMQP_BASIC_DELIVER_METHOD) {
                last_tag = ((amqp_basic_deliver_t *)f.payload.method.decoded)->delivery_tag;
            } else if (f.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD ||
                       f.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD) {
                amqp_rpc_reply_t cr = {AMQP_RESPONSE_SERVER_EXCEPTION, f.payload.method, 0};
                set_error(c->error, "consumer closed by the broker: %s", reply_text(cr));
                break;
            }
        } else if (f.frame_type == AMQP_FRAME_HEADER) {
            body_left = (size_t)f.payload.properties.body_size;
            stamp_len = 0;
            if (body_left == 0) on_message(c, stamp, 0);
        } else if (f.frame_type == AMQP_FRAME_BODY) {
            const amqp_bytes_t part = f.payload.body_fragment;
            size_t take = part.len < STAMP_BYTES - stamp_len ? part.len : STAMP_BYTES - stamp_len;
            memcpy(stamp + stamp_len, part.bytes, take);
            stamp_len += take;
            body_left -= part.len < body_left ? part.len : body_left;
            if (body_left == 0) {
                on_message(c, stamp, stamp_len);
                last_progress = now_ns();
                if ((long)(last_tag - acked_tag) >= ack_every) {
                    amqp_basic_ack(conn, CHANNEL, last_tag, 1);
                    acked_tag = last_tag;
                }
            }
        }
        amqp_maybe_release_buffers(conn);
    }
    if (last_tag > acked_tag) amqp_basic_ack(conn, CHANNEL, last_tag, 1);
    close_connection(conn);
    return NULL;
}

/* ---- setup and report --------------------------------------------------------------------- */

static int prepare_queue(const Options *opt, char *err) {
    amqp_connection_state_t conn = open_connection(opt, err);
    if (conn == NULL) return -1;
    amqp_queue_declare(conn, CHANNEL, amqp_cstring_bytes(opt->queue), 0, opt->persistent, 0, 0,
                       amqp_empty_table);
    amqp_rpc_reply_t r = amqp_get_rpc_reply(conn);
    if (r.reply_type == AMQP_RESPONSE_NORMAL) {
        amqp_queue_purge(conn, CHANNEL, amqp_cstring_bytes(opt->queue));
        r = amqp_get_rpc_reply(conn);
    }
    if (r.reply_type != AMQP_RESPONSE_NORMAL) {
        set_error(err, "declaring %s: %s (a queue left by a run of the other mode? delete it)",
                  opt->queue, reply_text(r));
        amqp_destroy_connection(conn);
        return -1;
    }
    close_connection(conn);
    return 0;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static double cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static void usage(const char *argv0) {
    fprintf(stderr,
            "usage: %s --port N [--host H] [--publishers N] [--msgs N] [--size BYTES]\n"
            "          [--persistent] [--window N] [--prefetch N] [--queue NAME] [--timeout S]\n",
            argv0);
    exit(2);
}

static Options parse(int argc, char **argv) {
    Options o = {"127.0.0.1", 0, 1, 200000, 100, 0, 1000, 1000, "sy-bench", 10};
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        if (strcmp(a, "--persistent") == 0) {
            o.persistent = 1;
            continue;
        }
        if (i + 1 >= argc) usage(argv[0]);
        const char *v = argv[++i];
        if (strcmp(a, "--host") == 0) o.host = v;
        else if (strcmp(a, "--port") == 0) o.port = atoi(v);
        else if (strcmp(a, "--publishers") == 0) o.publishers = atoi(v);
        else if (strcmp(a, "--msgs") == 0) o.msgs = atol(v);
        else if (strcmp(a, "--size") == 0) o.size = (size_t)atol(v);
        else if (strcmp(a, "--window") == 0) o.window = atoi(v);
        else if (strcmp(a, "--prefetch") == 0) o.prefetch = atoi(v);
        else if (strcmp(a, "--queue") == 0) o.queue = v;
        else if (strcmp(a, "--timeout") == 0) o.timeout_s = atoi(v);
        else usage(argv[0]);
    }
    if (o.port <= 0 || o.publishers < 1 || o.msgs < o.publishers || o.size < STAMP_BYTES ||
        o.window < 1 || o.prefetch < 1 || o.prefetch > 65535 || o.timeout_s < 1) {
        fprintf(stderr, "sy_amqp_load: bad option value (size >= %d, prefetch <= 65535)\n",
                STAMP_BYTES);
        usage(argv[0]);
    }
    return o;
}

int main(int argc, char **argv) {
    const Options opt = parse(argc, argv);
    char err[256] = "";
    if (prepare_queue(&opt, err) != 0) {
        fprintf(stderr, "sy_amqp_load: %s\n", err);
        return 1;
    }
    Publisher *pubs = calloc((size_t)opt.publishers, sizeof *pubs);
    Consumer c;
    memset(&c, 0, sizeof c);
    c.opt = &opt;
    c.expected = opt.msgs;
    c.seen = calloc((size_t)opt.publishers, sizeof *c.seen);
    c.per_publisher = calloc((size_t)opt.publishers, sizeof *c.per_publisher);
    c.latency_us = calloc((size_t)(opt.msgs / LATENCY_EVERY + 1), sizeof *c.latency_us);
    for (int i = 0; i < opt.publishers; ++i) {
        long share = opt.msgs / opt.publishers + (i < opt.msgs % opt.publishers ? 1 : 0);
        pubs[i] = (Publisher){.opt = &opt, .number = i, .count = share};
        c.per_publisher[i] = share;
        c.seen[i] = calloc((size_t)share, 1);
    }
    const double cpu_before = cpu_seconds();
    pthread_t consumer, *threads = calloc((size_t)opt.publishers, sizeof *threads);
    pthread_create(&consumer, NULL, consumer_main, &c);
    while (atomic_load(&c.ready) == 0) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    if (atomic_load(&c.ready) > 0) {
        for (int i = 0; i < opt.publishers; ++i) {
            pthread_create(&threads[i], NULL, publisher_main, &pubs[i]);
        }
        for (int i = 0; i < opt.publishers; ++i) pthread_join(threads[i], NULL);
    }
    pthread_join(consumer, NULL);
    const double cpu = cpu_seconds() - cpu_before;

    long sent = 0, confirmed = 0, nacked = 0;
    int64_t first = 0, last_done = 0;
    const char *failure = c.error[0] ? c.error : NULL;
    for (int i = 0; i < opt.publishers; ++i) {
        sent += pubs[i].sent, confirmed += pubs[i].confirmed, nacked += pubs[i].nacked;
        if (pubs[i].first_ns && (first == 0 || pubs[i].first_ns < first)) first = pubs[i].first_ns;
        if (pubs[i].last_ns > last_done) last_done = pubs[i].last_ns;
        if (pubs[i].error[0] && failure == NULL) failure = pubs[i].error;
    }
    const long done = opt.persistent ? confirmed : sent;
    const double publish_s = last_done > first ? (double)(last_done - first) / 1e9 : 0;
    const double deliver_s = c.last_ns > c.first_ns ? (double)(c.last_ns - c.first_ns) / 1e9 : 0;
    const int64_t end = c.last_ns > last_done ? c.last_ns : last_done;
    const double active_s = end > first ? (double)(end - first) / 1e9 : 0;
    qsort(c.latency_us, (size_t)c.latency_count, sizeof *c.latency_us, cmp_u32);
    const uint32_t p50 = c.latency_count ? c.latency_us[c.latency_count / 2] : 0;
    const uint32_t p99 = c.latency_count ? c.latency_us[c.latency_count * 99 / 100] : 0;
    const double publish_rate = publish_s > 0 ? (double)done / publish_s : 0;
    const double deliver_rate = deliver_s > 0 ? (double)c.received / deliver_s : 0;
    const long lost = opt.msgs - c.unique;

    fprintf(stderr,
            "%s, %d publisher(s), %ld x %zu bytes: publish %.0f/s, deliver %.0f/s, lost %ld, "
            "dup %ld, nacked %ld, p50 %u us, p99 %u us, client cpu %.2f s%s%s\n",
            opt.persistent ? "persistent+confirms" : "transient", opt.publishers, opt.msgs,
            opt.size, publish_rate, deliver_rate, lost, c.duplicates, nacked, p50, p99, cpu,
            failure ? "; FAILED: " : "", failure ? failure : "");
    printf("{\"mode\":\"%s\",\"publishers\":%d,\"msgs\":%ld,\"size\":%zu,\"window\":%d,"
           "\"prefetch\":%d,\"sent\":%ld,\"confirmed\":%ld,\"nacked\":%ld,\"received\":%ld,"
           "\"lost\":%ld,\"duplicates\":%ld,\"publish_rate\":%.1f,\"deliver_rate\":%.1f,"
           "\"p50_us\":%u,\"p99_us\":%u,\"publish_s\":%.3f,\"deliver_s\":%.3f,"
           "\"active_s\":%.3f,\"client_cpu_s\":%.3f,\"ok\":%s}\n",
           opt.persistent ? "persistent" : "transient", opt.publishers, opt.msgs, opt.size,
           opt.window, opt.prefetch, sent, confirmed, nacked, c.received, lost, c.duplicates,
           publish_rate, deliver_rate, p50, p99, publish_s, deliver_s, active_s, cpu,
           failure ? "false" : "true");
    return failure ? 1 : 0;
}
