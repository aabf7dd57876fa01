#!/usr/bin/env python3
"""Writes the STOMP codec fuzz seeds into corpus/stomp_codec/.

Each seed is a frame or a short session in the forms the tests in tests/unit/stomp_codec use:
every command, escapes of each version, content-length bodies with NULs, CRLF line endings,
heart-beats between frames, repeated headers. Run it again after adding a seed. Inputs the
fuzzer once failed on are kept beside them as regress_*.bin (not written by this script).
"""

import pathlib

SEEDS = {
    "connect12": b"CONNECT\naccept-version:1.0,1.1,1.2\nhost:/\nlogin:guest\npasscode:g\\c\n"
                 b"heart-beat:1000,1000\n\n\0",
    "stomp11": b"STOMP\r\naccept-version:1.1\r\nhost:stomp.github.org\r\n\r\n\0",
    "session12": b"SEND\ndestination:/queue/a\ncontent-type:text/plain\n\nhello\0\n"
                 b"SUBSCRIBE\nid:0\ndestination:/topic/plant.*.temp\nack:client\n"
                 b"prefetch-count:10\n\n\0\n\n"
                 b"ACK\nid:12\ntransaction:tx1\n\n\0"
                 b"NACK\nid:13\nrequeue:false\n\n\0"
                 b"BEGIN\ntransaction:tx1\n\n\0COMMIT\ntransaction:tx1\nreceipt:r1\n\n\0"
                 b"ABORT\ntransaction:tx2\n\n\0UNSUBSCRIBE\nid:0\n\n\0"
                 b"DISCONNECT\nreceipt:77\n\n\0",
    "binary_body": b"SEND\ndestination:/queue/b\ncontent-length:6\n\na\0b\0\0c\0",
    "server_frames": b"CONNECTED\nversion:1.2\nsession:s-1\nserver:Switchyard/0.1.0\n"
                     b"heart-beat:0,0\n\n\0"
                     b"MESSAGE\nsubscription:0\nmessage-id:1\ndestination:/topic/a\nack:1\n"
                     b"content-length:2\n\nhi\0RECEIPT\nreceipt-id:77\n\n\0"
                     b"ERROR\nmessage:malformed frame\ncontent-type:text/plain\n"
                     b"content-length:4\n\noops\0",
    "escapes11": b"MESSAGE\na\\cb:x\\ny\\\\z\\cw\n\n\0",
    "escapes12": b"MESSAGE\nk:a\\rb\\nc\r\n\r\nbody\0",
    "repeated": b"MESSAGE\nfoo:World\nfoo:Hello\ntime:12:30\nempty:\n\n\0",
    "heartbeats": b"\n\r\n\n",
}


def main() -> None:
    out = pathlib.Path(__file__).resolve().parent / "corpus" / "stomp_codec"
    out.mkdir(parents=True, exist_ok=True)
    for name, data in SEEDS.items():
        (out / f"{name}.bin").write_bytes(data)


if __name__ == "__main__":
    main()
