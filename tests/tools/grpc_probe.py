#!/usr/bin/python3
"""Check a gRPC server's standard health and reflection services.

Run with Debian's /usr/bin/python3, which has python3-grpcio. Debian ships no
generated code for health.proto or reflection.proto, so the few message
bytes are written and read by hand:
  - grpc.health.v1.HealthCheckRequest{service: ""} is the empty message;
    the response's field 1 (tag byte 0x08) is the ServingStatus, 1 = SERVING.
  - grpc.reflection.v1alpha.ServerReflectionRequest{list_services: ""} is
    field 7 as an empty string (bytes 0x3a 0x00); the response lists the
    service names as strings, which we look for in the raw bytes.

Usage: grpc_probe.py health ADDRESS
       grpc_probe.py reflection ADDRESS SERVICE_NAME
Exit code 0 when the check passes.
"""

import sys

import grpc


def check_health(address):
    with grpc.insecure_channel(address) as channel:
        check = channel.unary_unary("/grpc.health.v1.Health/Check")
        response = check(b"", timeout=5)
    serving = response[:2] == b"\x08\x01"
    print("SERVING" if serving else f"not serving: {response!r}")
    return 0 if serving else 1


def check_reflection(address, service_name):
    with grpc.insecure_channel(address) as channel:
        info = channel.stream_stream("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")
        responses = list(info(iter([b"\x3a\x00"]), timeout=5))
    listed = any(service_name.encode() in response for response in responses)
    print(f"{service_name} listed" if listed else f"{service_name} not listed: {responses!r}")
    return 0 if listed else 1


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "health":
        return check_health(sys.argv[2])
    if len(sys.argv) >= 4 and sys.argv[1] == "reflection":
        return check_reflection(sys.argv[2], sys.argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
