#!/usr/bin/env python3
"""Writes the MQTT codec fuzz seeds into corpus/mqtt/ from the hex vectors below.

Each seed is one packet or a short session (CONNECT then a few packets), taken from the
vectors in tests/unit/mqtt_codec/vectors_test.cpp. Run it again after adding a vector.
"""

import pathlib

SEEDS = {
    "connect311_full": "10 1f 00 04 4d 51 54 54 04 ec 00 0a 00 02 63 31 00 03 77 2f 74 00 03 62 79"
                       "65 00 01 75 00 02 01 ff",
    "connect31": "10 10 00 06 4d 51 49 73 64 70 03 02 00 3c 00 02 63 31",
    "connect5_props": "10 1c 00 04 4d 51 54 54 05 02 00 1e 0f 11 00 00 00 78 21 00 14 26 00 01 6b"
                      "00 01 76 00 00",
    "connect5_will": "10 20 00 04 4d 51 54 54 05 54 00 00 00 00 02 69 64 07 01 01 18 00 00 00 05"
                     "00 01 74 00 00 00 02 70 77",
    # 3.1.1 session: CONNECT, PUBLISH QoS 1, PUBACK, SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT
    "session311": "10 0f 00 04 4d 51 54 54 04 02 00 3c 00 03 61 62 63"
                  "3b 07 00 01 74 00 07 01 02 40 02 00 05"
                  "82 0c 00 0a 00 03 61 2f 23 01 00 01 2b 02"
                  "a2 0a 00 0c 00 03 61 2f 62 00 01 23 c0 00 e0 00",
    # v5 session: CONNECT, PUBLISH with properties, PUBREC, PUBREL, SUBSCRIBE, AUTH, DISCONNECT
    "session5": "10 0d 00 04 4d 51 54 54 05 02 00 00 00 00 00"
                "32 2c 00 03 61 2f 62 00 01 22 01 01 02 00 00 0e 10 03 00 04 74 65 78 74 08"
                "00 01 72 09 00 02 00 01 0b 05 0b 80 01 26 00 01 61 00 00 68 69"
                "50 0a 00 06 80 06 1f 00 03 62 61 64 62 02 00 01"
                "82 1d 00 0b 09 0b 07 26 00 01 6b 00 01 76 00 0a 24 73 68 61 72 65 2f 67 2f"
                "74 29 00 01 78 16"
                "f0 0f 18 0d 15 00 05 53 43 52 41 4d 16 00 02 01 02"
                "e0 0b 8e 09 11 00 00 00 00 1c 00 01 73",
    # Server-to-client packets (decoded by the preset decoders).
    "server5": "20 10 00 00 0d 12 00 03 61 62 63 22 00 0a 24 01 25 00"
               "90 06 00 0b 00 01 02 8f b0 09 00 0c 04 1f 00 01 78 00 11"
               "30 07 00 00 03 23 00 05 78 d0 00",
    "server311": "20 02 01 00 90 05 00 0a 01 02 80 b0 02 00 0c 34 05 00 01 74 ff ff d0 00",
}


def main() -> None:
    out = pathlib.Path(__file__).resolve().parent / "corpus" / "mqtt"
    out.mkdir(parents=True, exist_ok=True)
    for name, text in SEEDS.items():
        (out / f"{name}.bin").write_bytes(bytes.fromhex(text))


if __name__ == "__main__":
    main()
