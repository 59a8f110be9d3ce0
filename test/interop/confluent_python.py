"""Confluent's Python client (confluent-kafka's schema_registry) against our registry's Confluent API.

Driven by test/interop/confluent-python.test.ts, which starts the registry, writes the scenario as JSON on stdin
and asserts on the JSON report this prints on stdout: one entry per step, {"value": ...} when the client call
returned, {"error": {...}} when it raised. Nothing is asserted here, so that every check lives in one place.
"""

import json
import struct
import sys

import confluent_kafka
from importlib import metadata
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient, SchemaRegistryError
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.serialization import MessageField, SerializationContext, SerializationError


def run(step):
    try:
        return {"value": step()}
    except SchemaRegistryError as e:
        return {
            "error": {
                "type": "SchemaRegistryError",
                "status": e.http_status_code,
                "code": e.error_code,
                "message": e.error_message,
            }
        }
    except (SerializationError, KeyError, ValueError, TypeError) as e:
        return {"error": {"type": type(e).__name__, "message": str(e)}}


def registered(r):
    return {"id": r.schema_id, "version": r.version, "subject": r.subject, "schema": r.schema.schema_str}


def main():
    scenario = json.load(sys.stdin)
    url, token = scenario["url"], scenario["token"]

    def client(auth=True):
        conf = {"url": url}
        if auth:
            conf["basic.auth.user.info"] = "ci:" + token
        return SchemaRegistryClient(conf)

    def schema(text):
        return Schema(text, schema_type="JSON")

    report = {
        "versions": {
            "confluent_kafka": confluent_kafka.version()[0],
            "librdkafka": confluent_kafka.libversion()[0],
            "jsonschema": metadata.version("jsonschema"),
        }
    }

    for kind in ("resource", "plain"):
        s = scenario[kind]
        subject = s["subject"]
        sr = client()
        out = {}
        out["unauthenticated"] = run(lambda: client(auth=False).register_schema(subject, schema(s["v1"])))
        out["register"] = run(lambda: sr.register_schema(subject, schema(s["v1"])))
        # A fresh client, so that the id comes from the registry again (the client caches what it registered).
        out["register_again"] = run(lambda: client().register_schema(subject, schema(s["v1"])))
        schema_id = out["register"].get("value")
        fresh = client(auth=False)
        out["by_id"] = run(lambda: (lambda r: {"schema": r.schema_str, "type": r.schema_type})(fresh.get_schema(schema_id)))
        out["versions"] = run(lambda: fresh.get_versions(subject))
        out["latest"] = run(lambda: registered(fresh.get_latest_version(subject)))
        out["version_1"] = run(lambda: registered(fresh.get_version(subject, 1)))
        out["lookup"] = run(lambda: registered(fresh.lookup_schema(subject, schema(s["v1"]))))
        out["compatible"] = run(lambda: fresh.test_compatibility(subject, schema(s["compatible"])))
        out["breaking"] = run(lambda: fresh.test_compatibility(subject, schema(s["breaking"])))
        out["breaking_v1"] = run(lambda: fresh.test_compatibility(subject, schema(s["breaking"]), version=1))
        out["register_breaking"] = run(lambda: sr.register_schema(subject, schema(s["breaking"])))
        out["subjects"] = run(lambda: fresh.get_subjects())
        report[kind] = out

    sr = client()
    config = {}
    config["global"] = run(lambda: sr.get_compatibility())
    config["subject_unset"] = run(lambda: sr.get_compatibility(scenario["plain"]["subject"]))
    config["set_subject"] = run(lambda: sr.set_compatibility(scenario["plain"]["subject"], "BACKWARD"))
    config["subject"] = run(lambda: sr.get_compatibility(scenario["plain"]["subject"]))
    report["config"] = config

    # Serializing one of our events: the writer's schema is the version's event schema, fetched by its id.
    e = scenario["event"]
    ctx = SerializationContext(e["topic"], MessageField.VALUE)
    event_schema = client(auth=False).get_schema(e["schemaId"]).schema_str

    def serialize(value, conf):
        return JSONSerializer(event_schema, client(), conf=conf)(value, ctx).hex()

    report["serialize_lookup"] = run(lambda: serialize(e["value"], {"auto.register.schemas": False}))
    report["serialize_register"] = run(lambda: serialize(e["value"], {"auto.register.schemas": True}))
    report["serialize_invalid"] = run(lambda: serialize(e["invalidValue"], {"auto.register.schemas": False}))

    # Reading frames our publisher wrote: the reader's schema is the one the frame's id names.
    def deserialize(hex_value):
        value = bytes.fromhex(hex_value)
        magic, schema_id = struct.unpack(">bI", value[:5])
        writer = client(auth=False).get_schema(schema_id)
        return {
            "magic": magic,
            "schemaId": schema_id,
            "writer": json.loads(writer.schema_str).get("$id"),
            "value": JSONDeserializer(writer.schema_str)(value, ctx),
        }

    report["deserialize"] = run(lambda: deserialize(e["frame"]))
    report["deserialize_invalid"] = run(lambda: deserialize(e["invalidFrame"]))

    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
