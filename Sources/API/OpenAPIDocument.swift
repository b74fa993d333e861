import Messages
import SeedExamples

/// The OpenAPI description served at `/api/openapi.yaml`: the one description of the API's
/// contract, written by hand to say exactly what the code does (docs/api.md has the long form).
///
/// Kept exact by tests — its paths and methods are the router's (`APIIntegrationTests`), its
/// object schemas name every field and desired state of each type (`OpenAPIDocumentTests`) —
/// and by `deploy/schemathesis.sh`, which runs every check schemathesis has against a real API
/// from this document (part of `deploy/test.sh`).
enum OpenAPIDocument {
    static let yaml = #"""
    openapi: 3.1.0
    info:
      title: n0core API
      version: "1"
      description: |
        Submit specs (YAML or JSON documents of VMs, volumes, NICs and networks), follow their
        progress, and read the resource graph (docs/api.md has the long form).

        Every /api/ route needs `Authorization: Bearer TOKEN` (the scheme in any case). Request bodies
        are YAML or JSON by `Content-Type`: `application/yaml` and `application/json` as listed, also
        their `text/` and `x-` forms and `+yaml`/`+json` suffixes, and YAML when none is given; any other
        type is 415. Answers, errors included, follow `Accept` (JSON or YAML), else the body's format,
        else JSON. A method a path does not list is 405 with `Allow`.

        The schemas are the shape the API reads: a body outside them is refused with 400 (or 422
        where a schema keyword states one of the rules below), naming every offending field. A `null`
        value is the same as leaving the key out. 422 is a rule between fields or against the stored
        graph that a schema cannot state: bounds (vcpus, sizes), CIDRs and DHCP ranges, addresses
        inside the subnet, references to variables the document defines and to ids that exist,
        relations between the right types, cycles, fixed addresses in use, a resource of another spec,
        the number of objects and nesting depth (`api.max_objects`, `api.max_depth`).

        `vnc_password` and `user_data` are shown only in the answer of the POST or PUT that set them;
        every other answer shows `********`, which sent back in a PUT keeps the stored value.
    servers:
      - url: http://127.0.0.1:8080
    security:
      - bearer: []
    paths:
      /api/spec:
        get:
          operationId: listSpecs
          summary: Specs with their state, newest first, a page at a time
          description: |
            Each spec's latest version, state, times and how many of its objects are at each
            progress word (as `GET /api/spec/{id}` shows progress). `state` keeps specs in that state.
            At most `limit` specs (default 50, at most 500); `next`, when present, is the `cursor` of
            the following page, to be passed back unchanged. `/api/spec/` is the same route.
          parameters:
            - name: state
              in: query
              schema: {type: string, enum: [pending, applied, failed, superseded]}
            - $ref: '#/components/parameters/Limit'
            - name: cursor
              in: query
              description: the `next` of the previous page
              schema: {type: string, pattern: '^s[1-9][0-9]{0,17}$'}
          responses:
            "200":
              description: A page of specs
              content:
                application/json: {schema: {$ref: '#/components/schemas/SpecList'}}
                application/yaml: {schema: {$ref: '#/components/schemas/SpecList'}}
            "400": {$ref: '#/components/responses/BadParameter'}
            "401": {$ref: '#/components/responses/Unauthorized'}
            "503": {$ref: '#/components/responses/Unavailable'}
        post:
          operationId: createSpec
          summary: Submit a new spec (version 0)
          description: |
            The document with ids, names and desired states filled in, the spec `id` and
            `created_at`. `/api/spec/` (the seed's spelling) is the same route. A document carrying
            `id` or `created_at` (read from an existing spec) is 422: PUT changes that spec. The version
            is stored with its `Spec` message for the scheduler in one transaction; nothing is stored
            for a refused document. With `dry_run=true`, the same checks and answers, but 200 with the
            plan: each object to create, and where the scheduler would place it now.
          parameters: [{$ref: '#/components/parameters/DryRun'}]
          requestBody:
            required: true
            content:
              application/yaml:
                schema: {$ref: '#/components/schemas/NewSpec'}
                examples: {seed: {$ref: '#/components/examples/SeedSpec'}}
              application/json:
                schema: {$ref: '#/components/schemas/NewSpec'}
                examples: {seed: {$ref: '#/components/examples/SeedSpec'}}
          responses:
            "200":
              description: With dry_run=true, the plan; nothing stored or sent
              content:
                application/json: {schema: {$ref: '#/components/schemas/SpecPlan'}}
                application/yaml: {schema: {$ref: '#/components/schemas/SpecPlan'}}
            "201":
              description: The resolved document with its spec id, ids and desired states (VNC passwords as sent)
              content:
                application/json: {schema: {$ref: '#/components/schemas/SpecVersion'}}
                application/yaml: {schema: {$ref: '#/components/schemas/SpecVersion'}}
              links:
                GetSpec: {operationId: getSpec, parameters: {id: '$response.body#/id'}}
                GetVersion: {operationId: getSpecVersion, parameters: {id: '$response.body#/id', version: '$response.body#/version'}}
                ReplaceSpec: {operationId: replaceSpec, parameters: {id: '$response.body#/id'}}
                DeleteSpec: {operationId: deleteSpec, parameters: {id: '$response.body#/id'}}
            "400": {$ref: '#/components/responses/BadDocument'}
            "401": {$ref: '#/components/responses/Unauthorized'}
            "413": {$ref: '#/components/responses/ContentTooLarge'}
            "415": {$ref: '#/components/responses/UnsupportedMediaType'}
            "422": {$ref: '#/components/responses/Unprocessable'}
            "503": {$ref: '#/components/responses/Unavailable'}
      /api/spec/{id}:
        parameters: [{$ref: '#/components/parameters/SpecID'}]
        get:
          operationId: getSpec
          summary: The latest version and where each of its objects stands
          description: |
            The version's state (`pending`, `applied`, `failed` with `reason`, `superseded`), its
            events, and each object's progress from the event log (PENDING, WAITING, SCHEDULED, APPLIED,
            RESCHEDULED, FAILED) with the version that progress belongs to: an object a later version
            left unchanged keeps that of the version that applied it. A progress report, not a
            document: to change the spec, start from GET /api/spec/{id}/versions/{version}.
          responses:
            "200":
              description: Spec status (VNC passwords masked)
              content:
                application/json: {schema: {$ref: '#/components/schemas/SpecStatus'}}
                application/yaml: {schema: {$ref: '#/components/schemas/SpecStatus'}}
              links:
                GetObject: {operationId: getObject, parameters: {id: '$response.body#/objects/0/id'}}
            "400": {$ref: '#/components/responses/BadParameter'}
            "401": {$ref: '#/components/responses/Unauthorized'}
            "404": {$ref: '#/components/responses/NotFound'}
            "503": {$ref: '#/components/responses/Unavailable'}
        put:
          operationId: replaceSpec
          summary: A new version of the spec
          description: |
            The body's `version` is the version it replaces; if that is not the latest, 409 (also when
            it would delete an image a volume is still made from). Only
            objects that changed are sent to the scheduler, objects left out are driven to `deleted`,
            and a version that changes nothing is applied at once. A version read with GET
            /api/spec/{id}/versions/{version} is accepted unchanged: its read-only `id` and `created_at`
            must be this spec's and the replaced version's (422 otherwise), and `********` keeps the
            stored VNC password. With `dry_run=true`, the same checks and answers, but the plan
            instead of a new version: each object created, changed (with the fields), deleted or
            unchanged, and where the scheduler would place what the version sends.
          parameters: [{$ref: '#/components/parameters/DryRun'}]
          requestBody:
            required: true
            content:
              application/yaml:
                schema: {$ref: '#/components/schemas/SpecUpdate'}
                examples: {seed: {$ref: '#/components/examples/SeedSpec'}}
              application/json:
                schema: {$ref: '#/components/schemas/SpecUpdate'}
                examples: {seed: {$ref: '#/components/examples/SeedSpec'}}
          responses:
            "200":
              description: The new version (VNC passwords shown only where this request set them), or with dry_run=true the plan
              content:
                application/json: {schema: {anyOf: [{$ref: '#/components/schemas/SpecVersion'}, {$ref: '#/components/schemas/SpecPlan'}]}}
                application/yaml: {schema: {anyOf: [{$ref: '#/components/schemas/SpecVersion'}, {$ref: '#/components/schemas/SpecPlan'}]}}
            "400": {$ref: '#/components/responses/BadDocument'}
            "401": {$ref: '#/components/responses/Unauthorized'}
            "404": {$ref: '#/components/responses/NotFound'}
            "409": {$ref: '#/components/responses/Conflict'}
            "413": {$ref: '#/components/responses/ContentTooLarge'}
            "415": {$ref: '#/components/responses/UnsupportedMediaType'}
            "422": {$ref: '#/components/responses/Unprocessable'}
            "503": {$ref: '#/components/responses/Unavailable'}
        delete:
          operationId: deleteSpec
          summary: A new version that drives every object of the spec to `deleted`
          description: |
            Accepted, not done: agents remove what they created, and GET /api/spec/{id} follows
            the deleting version to `applied`. The spec and its versions stay readable. Again on a
            spec whose objects are all deleted: no new version, the latest one is answered. A spec
            with an image that volumes of other specs are made from is not deleted (409, naming them).
          responses:
            "202":
              description: The deleting version (VNC passwords masked)
              content:
                application/json: {schema: {$ref: '#/components/schemas/SpecVersion'}}
                application/yaml: {schema: {$ref: '#/components/schemas/SpecVersion'}}
            "400": {$ref: '#/components/responses/BadParameter'}
            "401": {$ref: '#/components/responses/Unauthorized'}
            "404": {$ref: '#/components/responses/NotFound'}
            "409": {$ref: '#/components/responses/Conflict'}
            "503": {$ref: '#/components/responses/Unavailable'}
      /api/spec/{id}/versions/{version}:
        parameters:
          - {$ref: '#/components/parameters/SpecID'}
          - name: version
            in: path
            required: true
            schema: {type: integer, format: int64, minimum: 0, maximum: 9223372036854775807}
        get:
          operationId: getSpecVersion
          summary: One stored version (VNC passwords masked), in the form PUT takes back unchanged
          responses:
            "200":
              description: The version
              content:
                application/json: {schema: {$ref: '#/components/schemas/SpecVersion'}}
                application/yaml: {schema: {$ref: '#/components/schemas/SpecVersion'}}
              links:
                ReplaceWithThisVersion:
                  operationId: replaceSpec
                  description: a version read back is accepted by PUT unchanged
                  parameters: {id: '$response.body#/id'}
                  requestBody: '$response.body'
            "400": {$ref: '#/components/responses/BadParameter'}
            "401": {$ref: '#/components/responses/Unauthorized'}
            "404": {$ref: '#/components/responses/NotFound'}
            "503": {$ref: '#/components/responses/Unavailable'}
      /api/spec/{id}/diff:
        parameters: [{$ref: '#/components/parameters/SpecID'}]
        get:
          operationId: getSpecDiff
          summary: What version `to` changed against version `from`
          description: |
            Each object of either version: created, changed (with the top-level fields that
            differ), deleted or unchanged. 404 when the spec or either version does not exist.
          parameters:
            - name: from
              in: query
              required: true
              schema: {type: integer, minimum: 0, maximum: 999999999}
            - name: to
              in: query
              required: true
              schema: {type: integer, minimum: 0, maximum: 999999999}
          responses:
            "200":
              description: The objects and what changed
              content:
                application/json: {schema: {$ref: '#/components/schemas/SpecDiff'}}
                application/yaml: {schema: {$ref: '#/components/schemas/SpecDiff'}}
              links:
                GetSpec: {operationId: getSpec, parameters: {id: '$response.body#/spec_id'}}
            "400": {$ref: '#/components/responses/BadParameter'}
            "401": {$ref: '#/components/responses/Unauthorized'}
            "404": {$ref: '#/components/responses/NotFound'}
            "503": {$ref: '#/components/responses/Unavailable'}
      /api/spec/{id}/events:
        parameters: [{$ref: '#/components/parameters/SpecID'}]
        get:
          operationId: getSpecEvents
          summary: The spec's event log, a page at a time or streamed as it is recorded
          description: |
            Events in the order they were recorded, after the event id `after` (default 0), at most
            `limit` (1 to 1000, default 1000); `next`, when present, is the `after` of the following
            page. With `Accept: text/event-stream`, Server-Sent Events instead: each event as
            `id: N`, `event: event`, `data: {JSON}`, pushed as it is recorded, then one `event:
            settled` with the latest version's state once it is no longer pending, and the stream
            ends; also at `api.event_stream_seconds`. `Last-Event-ID` resumes after that event.
            Comment lines keep an idle stream alive. 503 when `api.max_event_streams` are open.
          parameters:
            - name: after
              in: query
              required: false
              schema: {type: integer, format: int64, minimum: 0, maximum: 9223372036854775807}
            - name: limit
              in: query
              required: false
              schema: {type: integer, minimum: 1, maximum: 1000, default: 1000}
            - name: Last-Event-ID
              in: header
              required: false
              description: the id of the last event a stream delivered; wins over `after`
              schema: {type: string, pattern: '^[0-9]{1,18}$'}
          responses:
            "200":
              description: The events (JSON, YAML), or a stream of them (text/event-stream)
              content:
                application/json: {schema: {$ref: '#/components/schemas/EventLog'}}
                application/yaml: {schema: {$ref: '#/components/schemas/EventLog'}}
                text/event-stream: {schema: {type: string}}
            "400": {$ref: '#/components/responses/BadParameter'}
            "401": {$ref: '#/components/responses/Unauthorized'}
            "404": {$ref: '#/components/responses/NotFound'}
            "503": {$ref: '#/components/responses/Unavailable'}
      /api/graph:
        get:
          operationId: getGraph
          summary: Nodes and edges of a spec, around one object, or of the whole graph a page at a time
          description: |
            Either `spec_id=N` (a spec's objects and the agents they are placed on), or
            `object_id=UUID` with an optional `depth` (0 to 16, default 1: the object and its
            neighbours that far away, both directions). Not both, and `depth` only with `object_id`
            (400). A spec or object that does not exist is 404, not an empty graph.

            With neither, the whole graph a page at a time: at most `limit` nodes (default 50, at most
            500) in id order and the edges that leave them; `next`, when present, is the `cursor` of
            the following page. `limit` and `cursor` only without `spec_id` and `object_id` (400).
          parameters:
            - name: selector
              in: query
              required: false
              style: form
              explode: true
              description: spec_id, or object_id and depth, as separate query parameters
              schema:
                oneOf:
                  - type: object
                    title: BySpec
                    required: [spec_id]
                    additionalProperties: false
                    properties:
                      spec_id: {type: integer, format: int64, minimum: 1, maximum: 9223372036854775807}
                  - type: object
                    title: AroundObject
                    required: [object_id]
                    additionalProperties: false
                    properties:
                      object_id: {type: string, format: uuid}
                      depth: {type: integer, minimum: 0, maximum: 16, default: 1}
                  - type: object
                    title: WholeGraph
                    additionalProperties: false
                    properties:
                      limit: {type: integer, minimum: 1, maximum: 500, default: 50}
                      cursor: {type: string, pattern: '^n[0-9a-f]{32}$', description: the `next` of the previous page}
          responses:
            "200":
              description: The graph (VNC passwords masked)
              content:
                application/json: {schema: {$ref: '#/components/schemas/Graph'}}
                application/yaml: {schema: {$ref: '#/components/schemas/Graph'}}
              links:
                GetObject: {operationId: getObject, parameters: {id: '$response.body#/nodes/0/id'}}
            "400": {$ref: '#/components/responses/BadParameter'}
            "401": {$ref: '#/components/responses/Unauthorized'}
            "404": {$ref: '#/components/responses/NotFound'}
            "503": {$ref: '#/components/responses/Unavailable'}
      /api/agents:
        get:
          operationId: listAgents
          summary: Every agent with its host, liveness, last heartbeat, capacity and claims, a page at a time
          description: |
            Agent nodes in id order: `liveness` as the conductor last recorded it (`alived` or
            `dead`), `last_heartbeat` when one is stored, `capacity` as the agent reported it and
            `claimed`, the sums of what the objects placed on it claim. At most `limit` agents
            (default 50, at most 500); `next`, when present, is the `cursor` of the following page.
          parameters:
            - $ref: '#/components/parameters/Limit'
            - name: cursor
              in: query
              description: the `next` of the previous page
              schema: {type: string, pattern: '^a[0-9a-f]{32}$'}
          responses:
            "200":
              description: A page of agents
              content:
                application/json: {schema: {$ref: '#/components/schemas/AgentList'}}
                application/yaml: {schema: {$ref: '#/components/schemas/AgentList'}}
            "400": {$ref: '#/components/responses/BadParameter'}
            "401": {$ref: '#/components/responses/Unauthorized'}
            "503": {$ref: '#/components/responses/Unavailable'}
      /api/hosts:
        get:
          operationId: listHosts
          summary: Every host some agent reports, with its agents, objects and drain
          description: |
            Hosts in id order: how many agents report each, how many the conductor last recorded
            alive, how many objects are placed on them, and `drain` while the host is draining.
          responses:
            "200":
              description: The hosts
              content:
                application/json: {schema: {$ref: '#/components/schemas/HostList'}}
                application/yaml: {schema: {$ref: '#/components/schemas/HostList'}}
            "400": {$ref: '#/components/responses/BadParameter'}
            "401": {$ref: '#/components/responses/Unauthorized'}
            "503": {$ref: '#/components/responses/Unavailable'}
      /api/hosts/{id}:
        parameters: [{$ref: '#/components/parameters/HostID'}]
        get:
          operationId: getHost
          summary: One host and the objects placed on its agents
          description: While the host drains, the objects still on it are `pinned` (moving, or staying; see each spec's events).
          responses:
            "200":
              description: The host
              content:
                application/json: {schema: {$ref: '#/components/schemas/HostDetail'}}
                application/yaml: {schema: {$ref: '#/components/schemas/HostDetail'}}
            "400": {$ref: '#/components/responses/BadParameter'}
            "401": {$ref: '#/components/responses/Unauthorized'}
            "404": {$ref: '#/components/responses/NotFound'}
            "503": {$ref: '#/components/responses/Unavailable'}
      /api/hosts/{id}/drain:
        parameters: [{$ref: '#/components/parameters/HostID'}]
        put:
          operationId: drainHost
          summary: Drain a host, so it gets no new placements and its specs move elsewhere (idempotent)
          description: |
            The scheduler places nothing new on the host's agents, and each spec with objects on
            them is moved to other hosts, its file volumes copied there. A spec that cannot move
            (pinned to the host, or its volumer exports no volumes) stays, with a `PINNED` event
            saying why. A second call replaces the reason and tries the moves again.
          parameters:
            - name: reason
              in: query
              required: false
              description: at most 1024 characters, no control characters
              schema: {type: string, maxLength: 1024, pattern: '^[^\u0000-\u001F\u007F-\u009F]*$'}
          responses:
            "200":
              description: The host, draining
              content:
                application/json: {schema: {$ref: '#/components/schemas/HostDetail'}}
                application/yaml: {schema: {$ref: '#/components/schemas/HostDetail'}}
            "400": {$ref: '#/components/responses/BadParameter'}
            "401": {$ref: '#/components/responses/Unauthorized'}
            "404": {$ref: '#/components/responses/NotFound'}
            "503": {$ref: '#/components/responses/Unavailable'}
        delete:
          operationId: undrainHost
          summary: End a host's drain (idempotent)
          responses:
            "200":
              description: The host, taking new work again
              content:
                application/json: {schema: {$ref: '#/components/schemas/HostDetail'}}
                application/yaml: {schema: {$ref: '#/components/schemas/HostDetail'}}
            "400": {$ref: '#/components/responses/BadParameter'}
            "401": {$ref: '#/components/responses/Unauthorized'}
            "404": {$ref: '#/components/responses/NotFound'}
            "503": {$ref: '#/components/responses/Unavailable'}
      /api/objects/{id}:
        parameters:
          - name: id
            in: path
            required: true
            schema: {type: string, format: uuid}
        get:
          operationId: getObject
          summary: One node of the graph
          responses:
            "200":
              description: The node (VNC password masked)
              content:
                application/json: {schema: {$ref: '#/components/schemas/Node'}}
                application/yaml: {schema: {$ref: '#/components/schemas/Node'}}
              links:
                GetConsole: {operationId: getConsole, parameters: {id: '$response.body#/id'}}
            "400": {$ref: '#/components/responses/BadParameter'}
            "401": {$ref: '#/components/responses/Unauthorized'}
            "404": {$ref: '#/components/responses/NotFound'}
            "503": {$ref: '#/components/responses/Unavailable'}
      /api/objects/{id}/console:
        parameters:
          - name: id
            in: path
            required: true
            schema: {type: string, format: uuid}
        get:
          operationId: getConsole
          summary: A VM's serial log, its last lines or what follows an offset, optionally followed
          description: |
            Read by the compute agent the VM is placed on and relayed over the broker. The last
            `lines` lines (default 100), or with `offset` everything after that byte offset; at most
            1 MiB either way. As `text/plain`, the log's bytes as the guest wrote them, with
            `X-Console-End` the offset to continue from; JSON or YAML when `Accept` names them.
            `follow=true` keeps a `text/plain` answer open and sends what is appended, asked for
            about once a second, until the client goes, the agent stops answering, or
            `api.console_follow_seconds` (600) have passed.
          parameters:
            - name: range
              in: query
              required: false
              style: form
              explode: true
              description: lines, or offset, as separate query parameters (not both)
              schema:
                oneOf:
                  - type: object
                    title: Tail
                    additionalProperties: false
                    properties:
                      lines: {type: integer, minimum: 1, maximum: 10000, default: 100}
                  - type: object
                    title: AfterOffset
                    required: [offset]
                    additionalProperties: false
                    properties:
                      offset: {type: integer, format: int64, minimum: 0, maximum: 9223372036854775807}
            - name: follow
              in: query
              required: false
              schema: {type: boolean, default: false}
          responses:
            "200":
              description: The piece of the log
              headers:
                X-Console-Start: {description: the byte offset of the first byte sent, schema: {type: integer, minimum: 0}}
                X-Console-End: {description: the offset to continue from (not when following), schema: {type: integer, minimum: 0}}
                X-Console-Size: {description: the log's size when read (not when following), schema: {type: integer, minimum: 0}}
              content:
                text/plain: {schema: {type: string}}
                application/json: {schema: {$ref: '#/components/schemas/ConsoleExcerpt'}}
                application/yaml: {schema: {$ref: '#/components/schemas/ConsoleExcerpt'}}
            "400": {$ref: '#/components/responses/BadParameter'}
            "401": {$ref: '#/components/responses/Unauthorized'}
            "404":
              description: No such object, an object that is not a VM, or no serial log on the VM's hypervisor (never started there, or deleted)
              content:
                application/json: {schema: {$ref: '#/components/schemas/Error'}}
                application/yaml: {schema: {$ref: '#/components/schemas/Error'}}
            "409":
              description: The VM is not placed on a hypervisor yet
              content:
                application/json: {schema: {$ref: '#/components/schemas/Error'}}
                application/yaml: {schema: {$ref: '#/components/schemas/Error'}}
            "502":
              description: The VM's agent could not read the log (or is not a compute agent)
              content:
                application/json: {schema: {$ref: '#/components/schemas/Error'}}
                application/yaml: {schema: {$ref: '#/components/schemas/Error'}}
            "503":
              description: The database or the broker is unavailable; send the request again
              headers:
                Retry-After:
                  required: true
                  description: seconds
                  schema: {type: integer, minimum: 1}
              content:
                application/json: {schema: {$ref: '#/components/schemas/Error'}}
                application/yaml: {schema: {$ref: '#/components/schemas/Error'}}
            "504":
              description: The VM's compute agent did not answer within `api.console_timeout_seconds`
              content:
                application/json: {schema: {$ref: '#/components/schemas/Error'}}
                application/yaml: {schema: {$ref: '#/components/schemas/Error'}}
      /api/openapi.yaml:
        get:
          operationId: getOpenAPIDocument
          summary: This document
          responses:
            "200":
              description: OpenAPI 3.1, YAML
              content:
                application/yaml: {}
            "401": {$ref: '#/components/responses/Unauthorized'}
    components:
      securitySchemes:
        bearer:
          type: http
          scheme: bearer
          description: A token from `api.tokens` (N0CORE_API_TOKENS)
      parameters:
        SpecID:
          name: id
          in: path
          required: true
          schema: {type: integer, format: int64, minimum: 1, maximum: 9223372036854775807}
          example: 1
        HostID:
          name: id
          in: path
          required: true
          schema: {type: string, format: uuid}
        Limit:
          name: limit
          in: query
          description: the most items on a page
          schema: {type: integer, minimum: 1, maximum: 500, default: 50}
        DryRun:
          name: dry_run
          in: query
          description: 'true: answer the plan (200) and store or send nothing'
          schema: {type: boolean, default: false}
      responses:
        BadDocument:
          description: |
            The body cannot be read as a document: not YAML or JSON (or YAML labelled
            application/json), over a structural limit of the parser (aliases and anchors, nesting,
            nodes, scalar length: the answer names the limit and its key), an unknown key, an unknown
            `type`, a field of another type, a value of the wrong kind, a size or desired state that
            cannot be read; or a path parameter that is not a whole number
          content: &errorContent
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
            application/yaml: {schema: {$ref: '#/components/schemas/Error'}}
        BadParameter:
          description: A path or query parameter that is not what the route takes (a positive whole number, a UUID, a depth from 0 to 16, spec_id or object_id, a state, a limit from 1 to 500, a cursor the route gave)
          content: *errorContent
        Unauthorized:
          description: No token, another scheme than Bearer, or a token not in `api.tokens`
          headers:
            WWW-Authenticate:
              required: true
              schema: {type: string, pattern: '^Bearer( |$)'}
          content: *errorContent
        NotFound:
          description: No such spec, version or object
          content: *errorContent
        Conflict:
          description: "The document's `version` is no longer the latest (read the latest and apply the change to it), or the version would delete an image that volumes are still made from (the answer names them)"
          content: *errorContent
        ContentTooLarge:
          description: The body is larger than `api.max_body_bytes`; the answer names the limit and its key
          content: *errorContent
        UnsupportedMediaType:
          description: A Content-Type that is neither YAML nor JSON
          content: *errorContent
        Unprocessable:
          description: The document reads but breaks a rule (see the description at the top); every problem with the path of its field
          content: *errorContent
        Unavailable:
          description: The database is unavailable or did not answer within `api.database_timeout_seconds`; nothing was changed, send the request again
          headers:
            Retry-After:
              required: true
              description: seconds
              schema: {type: integer, minimum: 1}
          content: *errorContent
      examples:
        SeedSpec:
          summary: The seed's example (deploy/examples/seed-vm.yaml), as written there
          value:
    \#(Self.seedExampleValue)
      schemas:
        ConsoleExcerpt:
          type: object
          required: [vm_id, agent_id, start, end, size, text]
          additionalProperties: false
          properties:
            vm_id: {type: string, format: uuid}
            agent_id: {type: string, format: uuid, description: the compute agent that read it}
            start: {type: integer, minimum: 0, description: byte offset of the first byte}
            end: {type: integer, minimum: 0, description: the offset to continue from}
            size: {type: integer, minimum: 0, description: the log's size when read}
            text: {type: string, description: the bytes as UTF-8 (invalid sequences replaced)}
        Error:
          type: object
          required: [error, status]
          additionalProperties: false
          properties:
            error: {type: string, description: What is wrong}
            status: {type: integer, minimum: 400, maximum: 599}
            problems:
              type: array
              description: For documents, every offending field
              items:
                type: object
                required: [path, message]
                additionalProperties: false
                properties:
                  path: {type: string, description: "e.g. spec.web.dependencies[1].object.size"}
                  message: {type: string}
        Int64:
          type: integer
          format: int64
          minimum: -9223372036854775808
          maximum: 9223372036854775807
        NullableInt64:
          type: [integer, "null"]
          format: int64
          minimum: -9223372036854775808
          maximum: 9223372036854775807
        NullableString:
          type: [string, "null"]
        NullableObjectID:
          type: [string, "null"]
          format: uuid
        Size:
          type: [string, "null"]
          description: |
            A whole number and a unit b, kb, mb, gb or tb in any case (binary multiples: 1gb =
            2^30 bytes), e.g. `10gb`; a bare number is refused, since its unit would be a guess. At
            most 2^64-1 bytes (so at most 16777215tb). Answers write the largest unit that divides it (`1536mb`).
          pattern: '\#(OpenAPIDocument.sizePattern)'
        Annotations:
          type: object
          description: |
            Hints on the spec by namespaced name; values are booleans, integers or strings, and names
            this version does not know are kept. `n0stack/n0core/scheduler/rescheduling` is set by
            the conductor when it reschedules, never by users (422).
          properties:
            n0stack/n0core/scheduler/rescheduling: false
            n0stack/scheduling/same_host:
              type: boolean
              description: place every object of the spec on one host
            n0stack/scheduling/different_host:
              type: boolean
              description: |
                place each VM of the spec (with its volumes and NICs) on a host that none of the spec's other
                VMs is on; true together with same_host true is refused (422), and so is true with host_id
                when the spec has more than one VM
            n0stack/scheduling/host_id:
              type: string
              format: uuid
              description: place the spec's objects on this host
          additionalProperties:
            type: [boolean, integer, string]
            minimum: -9223372036854775808
            maximum: 9223372036854775807
        NullableAnnotations:
          oneOf:
            - {$ref: '#/components/schemas/Annotations'}
            - {type: "null"}
        NewSpec:
          type: object
          description: A document for POST /api/spec
          required: [spec]
          additionalProperties: false
          properties:
            version:
              type: [integer, "null"]
              minimum: 0
              maximum: 0
              description: 0 or left out; PUT adds versions
            annotations: {$ref: '#/components/schemas/NullableAnnotations'}
            spec: {$ref: '#/components/schemas/Variables'}
        SpecUpdate:
          type: object
          description: A document for PUT /api/spec/{id}, e.g. a version read with GET and changed
          required: [version, spec]
          additionalProperties: false
          properties:
            id:
              type: [integer, "null"]
              format: int64
              readOnly: true
              description: as GET answers it; if sent, it must be the spec in the path (422)
            created_at:
              type: [string, "null"]
              format: date-time
              readOnly: true
              description: as GET answers it; if sent, it must be when the replaced version was stored (422)
            version:
              type: integer
              format: int64
              minimum: 0
              maximum: 9223372036854775807
              description: the version this document replaces (409 when it is not the latest)
            annotations: {$ref: '#/components/schemas/NullableAnnotations'}
            spec: {$ref: '#/components/schemas/Variables'}
        Variables:
          type: object
          description: |
            Variable name -> object, in document order (YAML keeps it; JSON answers are sorted by
            name). Every top-level variable defines an object; references (`variable: NAME`,
            `id: UUID`) stand only inside `dependencies`.
          minProperties: 1
          propertyNames: {$ref: '#/components/schemas/ObjectName'}
          additionalProperties: {$ref: '#/components/schemas/NewObject'}
        SpecVersion:
          type: object
          description: A stored version, resolved
          required: [id, created_at, version, spec]
          additionalProperties: false
          properties:
            id: {type: integer, format: int64, minimum: 1}
            created_at: {type: string, format: date-time}
            version: {type: integer, minimum: 0}
            annotations: {$ref: '#/components/schemas/Annotations'}
            spec:
              type: object
              additionalProperties: {$ref: '#/components/schemas/Object'}
        SpecList:
          type: object
          required: [specs]
          additionalProperties: false
          properties:
            specs:
              type: array
              items:
                type: object
                required: [id, version, state, created_at, updated_at, objects]
                additionalProperties: false
                properties:
                  id: {type: integer, format: int64, minimum: 1}
                  version: {type: integer, minimum: 0, description: the latest version}
                  state: {type: string, enum: [pending, applied, failed, superseded]}
                  created_at: {type: string, format: date-time}
                  updated_at: {type: string, format: date-time, description: when the latest version was stored}
                  objects:
                    type: object
                    description: how many of its objects are at each progress word (PENDING, WAITING, SCHEDULED, APPLIED, RESCHEDULED, FAILED)
                    additionalProperties: {type: integer, minimum: 1}
            next: {type: string, description: the cursor of the following page; absent on the last page}
        ObjectChange:
          type: object
          required: [name, type, action, changed_fields, placement]
          additionalProperties: false
          properties:
            name: {type: string}
            id: {type: string, format: uuid, description: absent for an object a plan would create}
            type: {type: string}
            action: {type: string, enum: [create, change, delete, unchanged]}
            changed_fields: {type: array, items: {type: string}}
            placement:
              oneOf:
                - {type: 'null'}
                - {$ref: '#/components/schemas/PlacedOn'}
            placements: {type: array, items: {$ref: '#/components/schemas/PlacedOn'}, description: every agent, when more than one}
            placement_error: {type: string, description: why it would wait or fail}
        PlacedOn:
          type: object
          required: [agent_id, host_id]
          additionalProperties: false
          properties:
            agent_id: {type: string, format: uuid}
            host_id: {type: string, format: uuid}
        SpecPlan:
          type: object
          required: [version, placement, objects]
          additionalProperties: false
          properties:
            spec_id: {type: integer, format: int64, minimum: 1, description: absent for a POST}
            version: {type: integer, minimum: 0, description: the version the request would store}
            placement: {type: string, enum: [placed, waiting, impossible, nothing to place]}
            reason: {type: string}
            objects: {type: array, items: {$ref: '#/components/schemas/ObjectChange'}}
        SpecDiff:
          type: object
          required: [spec_id, from, to, objects]
          additionalProperties: false
          properties:
            spec_id: {type: integer, format: int64, minimum: 1}
            from: {type: integer, minimum: 0}
            to: {type: integer, minimum: 0}
            objects: {type: array, items: {$ref: '#/components/schemas/ObjectChange'}}
        EventLog:
          type: object
          required: [spec_id, state, events]
          additionalProperties: false
          properties:
            spec_id: {type: integer, format: int64, minimum: 1}
            state: {type: string, enum: [pending, applied, failed, superseded], description: the latest version's}
            events:
              type: array
              items:
                type: object
                required: [id, spec_id, version, kind, message]
                additionalProperties: false
                properties:
                  id: {type: integer, format: int64, minimum: 1}
                  spec_id: {type: integer, format: int64, minimum: 1}
                  version: {type: integer, minimum: 0}
                  object_id: {type: string, format: uuid, description: absent for an event about the whole version}
                  object_name: {type: string, description: the object's name, while the object is known}
                  kind: {type: string, description: 'SCHEDULED, WAITING, APPLIED, FAILED, RESCHEDULED, ABANDONED, SUPERSEDED, PINNED, …'}
                  message: {type: string}
                  created_at: {type: string, format: date-time}
            next: {type: integer, format: int64, description: the `after` of the following page; absent on the last page}
        HostView:
          type: object
          required: [host_id, agents, alive_agents, objects]
          additionalProperties: false
          properties:
            host_id: {type: string, format: uuid}
            agents: {type: integer, minimum: 0}
            alive_agents: {type: integer, minimum: 0}
            objects: {type: integer, minimum: 0, description: objects placed on its agents}
            drain:
              type: object
              description: present while the host is draining
              required: [reason, since]
              additionalProperties: false
              properties:
                reason: {type: string}
                since: {type: string, format: date-time}
        HostList:
          type: object
          required: [hosts]
          additionalProperties: false
          properties:
            hosts: {type: array, items: {$ref: '#/components/schemas/HostView'}}
        HostDetail:
          type: object
          required: [host, objects]
          additionalProperties: false
          properties:
            host: {$ref: '#/components/schemas/HostView'}
            objects:
              type: array
              items:
                type: object
                required: [id, name, type, agent_id, pinned]
                additionalProperties: false
                properties:
                  id: {type: string, format: uuid}
                  spec_id: {type: integer, format: int64}
                  name: {type: string}
                  type: {type: string}
                  agent_id: {type: string, format: uuid}
                  pinned: {type: boolean, description: the host drains and the object is still on it}
        AgentList:
          type: object
          required: [agents]
          additionalProperties: false
          properties:
            agents:
              type: array
              items:
                type: object
                required: [id, type, name, claimed]
                additionalProperties: false
                properties:
                  id: {type: string, format: uuid}
                  type: {type: string, enum: [agent/compute/kvm, agent/volumer/file, agent/porter/vlan]}
                  name: {type: string}
                  host_id: {type: string, format: uuid}
                  liveness: {type: string, enum: [alived, dead]}
                  last_heartbeat: {type: string, format: date-time}
                  capacity: {$ref: '#/components/schemas/Capacity'}
                  claimed:
                    type: object
                    required: [vcpus, memory_bytes, disk_bytes, claims]
                    additionalProperties: false
                    properties:
                      vcpus: {type: integer}
                      memory_bytes: {type: integer, format: int64}
                      disk_bytes: {type: integer, format: int64}
                      claims: {type: integer, minimum: 0, description: how many objects hold claims on it}
            next: {type: string, description: the cursor of the following page; absent on the last page}
        SpecStatus:
          type: object
          required: [id, version, created_at, state, spec, objects, events]
          additionalProperties: false
          properties:
            id: {type: integer, format: int64, minimum: 1}
            version: {type: integer, minimum: 0}
            created_at: {type: string, format: date-time}
            state: {type: string, enum: [pending, applied, failed, superseded]}
            reason: {type: string, description: why the version failed}
            annotations: {$ref: '#/components/schemas/Annotations'}
            spec:
              type: object
              additionalProperties: {$ref: '#/components/schemas/Object'}
            objects:
              type: array
              items: {$ref: '#/components/schemas/ObjectProgress'}
            events:
              type: array
              description: events about the whole version
              items:
                type: object
                required: [kind, message]
                additionalProperties: false
                properties:
                  kind: {type: string, description: "ACCEPTED, APPLIED, FAILED, SUPERSEDED, ..."}
                  message: {type: string}
                  at: {type: string, format: date-time}
        ObjectProgress:
          type: object
          required: [id, type, name, progress, version]
          additionalProperties: false
          properties:
            id: {type: string, format: uuid}
            type: {$ref: '#/components/schemas/ObjectType'}
            name: {type: string}
            desired_state: {type: string}
            progress:
              type: string
              description: PENDING, WAITING (for room, with the reason), SCHEDULED, APPLIED, RESCHEDULED or FAILED (with the message)
            message: {type: string}
            version: {type: integer, minimum: 0, description: the version this progress belongs to}
            agent: {type: string, format: uuid, description: the agent the object is placed on}
            updated_at: {type: string, format: date-time}
        Graph:
          type: object
          required: [nodes, edges]
          additionalProperties: false
          properties:
            nodes:
              type: array
              items: {$ref: '#/components/schemas/Node'}
            edges:
              type: array
              items:
                type: object
                required: [source, target, relation]
                additionalProperties: false
                properties:
                  source: {type: string, format: uuid}
                  target: {type: string, format: uuid}
                  relation: {type: string}
                  property: {$ref: '#/components/schemas/DependencyProperty'}
            next: {type: string, description: "the whole graph's cursor of the following page; absent on the last page"}
        Node:
          type: object
          required: [id, type, name]
          additionalProperties: false
          properties:
            id: {type: string, format: uuid}
            type: {$ref: '#/components/schemas/ObjectType'}
            name: {type: string}
            spec_id: {type: integer, format: int64, description: the spec that owns it; none for agents}
            desired_state: {type: string}
            observed_state: {type: string, description: "APPLIED, FAILED, ... as the conductor recorded it"}
            updated_at: {type: string, format: date-time}
            object: {$ref: '#/components/schemas/Object'}
        ObjectType:
          type: string
          enum: [resource/vm/kvm, resource/volume/file, resource/nic, resource/network/vlan, resource/image, agent/compute/kvm, agent/volumer/file, agent/porter/vlan]
        NewObject:
          description: An object a spec defines
          oneOf:
            - {$ref: '#/components/schemas/VM'}
            - {$ref: '#/components/schemas/Volume'}
            - {$ref: '#/components/schemas/NIC'}
            - {$ref: '#/components/schemas/Network'}
            - {$ref: '#/components/schemas/Image'}
        DependencyTarget:
          description: An object inline, a reference to a top-level variable, a reference to an existing resource by id, or to an image by its name
          oneOf:
            - {$ref: '#/components/schemas/VM'}
            - {$ref: '#/components/schemas/Volume'}
            - {$ref: '#/components/schemas/NIC'}
            - {$ref: '#/components/schemas/Network'}
            - {$ref: '#/components/schemas/Image'}
            - {$ref: '#/components/schemas/VariableReference'}
            - {$ref: '#/components/schemas/IDReference'}
            - {$ref: '#/components/schemas/ImageNameReference'}
        Object:
          description: An object as answers show it (agents included)
          oneOf:
            - {$ref: '#/components/schemas/VM'}
            - {$ref: '#/components/schemas/Volume'}
            - {$ref: '#/components/schemas/NIC'}
            - {$ref: '#/components/schemas/Network'}
            - {$ref: '#/components/schemas/Image'}
            - {$ref: '#/components/schemas/Agent'}
            - {$ref: '#/components/schemas/VariableReference'}
            - {$ref: '#/components/schemas/IDReference'}
        OneDesiredStateKey:
          description: |
            `state` and `status` name the same desired state (either is read; answers write
            `status` for VMs, volumes and NICs, `state` for networks and agents), and `relatioins` is
            the seed's spelling of `dependencies`: not both of either pair
          dependentSchemas:
            state: {properties: {status: false}}
            dependencies: {properties: {relatioins: false}}
        Dependencies:
          type: [array, "null"]
          items: {$ref: '#/components/schemas/Dependency'}
        VM:
          type: object
          title: resource/vm/kvm
          required: [type, vcpus, memory]
          additionalProperties: false
          allOf: [{$ref: '#/components/schemas/OneDesiredStateKey'}]
          properties:
            type: {const: resource/vm/kvm}
            id: {$ref: '#/components/schemas/ExistingID'}
            name: {$ref: '#/components/schemas/Name'}
            status: {$ref: '#/components/schemas/VMState'}
            state: {$ref: '#/components/schemas/VMState'}
            arch: {type: [string, "null"], description: "amd64 (the default)"}
            vcpus: {$ref: '#/components/schemas/NullableInt64', description: 1 to 128}
            memory: {$ref: '#/components/schemas/Size', description: 16mb to 4tb}
            vnc_password:
              type: [string, "null"]
              description: 1 to 8 printable ASCII characters without spaces; `********` keeps the stored one
            kernel: {$ref: '#/components/schemas/ImageName', description: a kernel to boot directly, from the images directory}
            initrd: {$ref: '#/components/schemas/ImageName', description: "an initrd from the images directory; needs `kernel`"}
            cmdline:
              type: [string, "null"]
              pattern: '^[^\u0000-\u001F\u007F-\u009F]*$'
              description: "the kernel's command line, one line without control characters; needs `kernel`"
            hostname:
              type: [string, "null"]
              description: |
                the guest's host name, given through its cloud-init seed: letters, digits and `-` in
                `.`-separated labels, at most 63 characters (default: derived from `name`)
            ssh_authorized_keys:
              type: [array, "null"]
              items: {type: string}
              description: |
                OpenSSH public key lines (`ssh-ed25519 AAAA… me@host`), one line each, at most 32 keys
                of 8 KiB; the guest authorises them for its default user (root in n0core's guest image)
            user_data:
              type: [string, "null"]
              description: |
                cloud-init user-data, written into the guest's seed as it is; at most 16 KiB. A secret
                like `vnc_password`: shown masked, and `********` keeps the stored one
            vnc_address:
              type: [string, "null"]
              readOnly: true
              description: "where the VM's VNC console listens (`127.0.0.1:5901`), as libvirt assigned it when the guest started; set by the compute agent, absent while the VM is not running; a new VM cannot carry it, an existing one only with the value stored (422)"
            dependencies: {$ref: '#/components/schemas/Dependencies', description: "`n0stack/n0core/vm/attachments` on volumes (with a boot priority) and NICs"}
            relatioins: {$ref: '#/components/schemas/Dependencies', deprecated: true}
        VMState:
          type: [string, "null"]
          enum: [running, poweroff, saved, deleted, null]
          description: running (the default), poweroff, saved or deleted
        Volume:
          type: object
          title: resource/volume/file
          required: [type, size]
          additionalProperties: false
          allOf: [{$ref: '#/components/schemas/OneDesiredStateKey'}]
          properties:
            type: {const: resource/volume/file}
            id: {$ref: '#/components/schemas/ExistingID'}
            name: {$ref: '#/components/schemas/Name'}
            status: {$ref: '#/components/schemas/VolumeState'}
            state: {$ref: '#/components/schemas/VolumeState'}
            size: {$ref: '#/components/schemas/Size', description: 1mb to 64tb}
            url:
              type: [string, "null"]
              readOnly: true
              description: where the volume lives, set by the volumer; a new volume cannot carry it, an existing one only with the value stored (422)
            source: {$ref: '#/components/schemas/ImageName', description: "a file in the images directory the new volume is a copy-on-write overlay of; not with an image dependency"}
            dependencies: {$ref: '#/components/schemas/Dependencies', description: "at most one `n0stack/n0core/volume/image` on the resource/image the new volume is a copy-on-write overlay of"}
            relatioins: {$ref: '#/components/schemas/Dependencies', deprecated: true}
        VolumeState:
          type: [string, "null"]
          enum: [allocated, deleted, destroyed, null]
          description: allocated (the default), deleted or destroyed
        NIC:
          type: object
          title: resource/nic
          required: [type]
          additionalProperties: false
          allOf: [{$ref: '#/components/schemas/OneDesiredStateKey'}]
          properties:
            type: {const: resource/nic}
            id: {$ref: '#/components/schemas/ExistingID'}
            name: {$ref: '#/components/schemas/Name'}
            status: {$ref: '#/components/schemas/NICState'}
            state: {$ref: '#/components/schemas/NICState'}
            hw_addr: {type: [string, "null"], description: "a unicast MAC like 52:54:00:12:34:56; the scheduler assigns one when none is given"}
            ip_addresses:
              type: [array, "null"]
              description: fixed IPv4 addresses inside the network's subnet, unique on it
              items: {type: string}
            dependencies: {$ref: '#/components/schemas/Dependencies', description: "exactly one `n0stack/n0core/port/network` on its network"}
            relatioins: {$ref: '#/components/schemas/Dependencies', deprecated: true}
        Image:
          type: object
          title: resource/image
          description: |
            A disk image the volumers fetch once per hypervisor into their images directory, verify
            and cache (docs/images.md); volumes are made from it with a `n0stack/n0core/volume/image`
            dependency. Its source, format and checksum cannot change once it exists, and deleting it
            while a volume depends on it is refused (409)
          required: [type, source, format]
          additionalProperties: false
          allOf: [{$ref: '#/components/schemas/OneDesiredStateKey'}]
          properties:
            type: {const: resource/image}
            id: {$ref: '#/components/schemas/ExistingID'}
            name: {$ref: '#/components/schemas/Name'}
            status: {$ref: '#/components/schemas/ImageState'}
            state: {$ref: '#/components/schemas/ImageState'}
            source:
              type: string
              maxLength: 2048
              description: |
                an http:// or https:// URL (no user or password, no fragment; needs `checksum`), or the
                name of a file in the hypervisors' images directory (as `ImageName`)
            format: {type: string, enum: [qcow2, raw], description: the image's format; it is opened as this format only}
            checksum:
              type: [string, "null"]
              pattern: '^sha256:[0-9A-Fa-f]{64}$'
              description: "`sha256:` and the image's SHA-256 digest; required for a URL, verified before the image is cached"
            url:
              type: [string, "null"]
              readOnly: true
              description: the image's file on the hypervisor that verified it, set by the volumer (422 when sent otherwise)
            dependencies: {$ref: '#/components/schemas/Dependencies', description: an image has none}
            relatioins: {$ref: '#/components/schemas/Dependencies', deprecated: true}
        ImageState:
          type: [string, "null"]
          enum: [available, deleted, null]
          description: available (the default) or deleted
        NICState:
          type: [string, "null"]
          enum: [attached, detached, deleted, null]
          description: attached (the default), detached or deleted
        Network:
          type: object
          title: resource/network/vlan
          required: [type, subnets]
          additionalProperties: false
          allOf: [{$ref: '#/components/schemas/OneDesiredStateKey'}]
          properties:
            type: {const: resource/network/vlan}
            id: {$ref: '#/components/schemas/ExistingID'}
            name: {$ref: '#/components/schemas/Name'}
            status: {$ref: '#/components/schemas/NetworkState'}
            state: {$ref: '#/components/schemas/NetworkState'}
            bridge:
              type: [string, "null"]
              readOnly: true
              description: the Linux bridge, set by the porter; a new network cannot carry it, an existing one only with the value stored (422)
            subnets:
              type: [array, "null"]
              minItems: 1
              items: {$ref: '#/components/schemas/Subnet'}
            parameters:
              type: [object, "null"]
              additionalProperties: false
              properties:
                vlan_id: {$ref: '#/components/schemas/NullableInt64', description: the 802.1Q tag of the uplink, 1 to 4094}
            dependencies: {$ref: '#/components/schemas/Dependencies', description: a network has none}
            relatioins: {$ref: '#/components/schemas/Dependencies', deprecated: true}
        NetworkState:
          type: [string, "null"]
          enum: [applied, down, deleted, null]
          description: applied (the default), down or deleted
        Subnet:
          type: object
          required: [cidr]
          additionalProperties: false
          properties:
            cidr: {type: string, description: "e.g. 192.168.0.0/24; /30 or larger"}
            dhcp:
              type: [object, "null"]
              additionalProperties: false
              description: the DHCP service the porter runs on the subnet
              properties:
                range: {type: [string, "null"], description: "first-last inside the subnet, e.g. 192.168.0.100-192.168.0.200; required with dhcp"}
                gateway: {type: [string, "null"], description: inside the subnet and outside the range}
                nameservers:
                  type: [array, "null"]
                  items: {type: string}
        Agent:
          type: object
          title: agent
          description: An agent, as it announced itself (read-only; agents join by themselves)
          required: [type]
          additionalProperties: false
          allOf: [{$ref: '#/components/schemas/OneDesiredStateKey'}]
          properties:
            type: {type: string, enum: [agent/compute/kvm, agent/volumer/file, agent/porter/vlan]}
            id: {type: string, format: uuid}
            name: {type: string}
            state: {type: string, enum: [alived, dead]}
            status: {type: string, enum: [alived, dead]}
            host_id: {type: string, format: uuid}
            capacity: {$ref: '#/components/schemas/Capacity'}
            ip_addresses:
              type: [array, "null"]
              description: where other hosts reach the agent (a porter's underlay address, porter.vxlan_local)
              maxItems: 4
              items: {type: string, format: ipv4}
            url:
              type: [string, "null"]
              description: where other hosts fetch from the agent (a volumer's volume export, volumer.export_url)
            dependencies: {$ref: '#/components/schemas/Dependencies'}
            relatioins: {$ref: '#/components/schemas/Dependencies', deprecated: true}
        ImageName:
          type: [string, "null"]
          description: |
            A file in the images directory of the hypervisor the object is placed on, named relative
            to it (`debian-12.qcow2`, `debian/vmlinuz`): ASCII letters, digits, `.`, `_`, `+`, `-` and
            `/`, at most 1024 bytes and 255 per part, no part empty, `..` or starting with `.`. Never a
            URL or a host path (422, naming the field).
          maxLength: 1024
          pattern: '^[A-Za-z0-9._+/-]*$'
        Capacity:
          type: [object, "null"]
          description: what an agent's host can give to new resources, as its heartbeats report it
          additionalProperties: false
          properties:
            vcpus:
              type: [integer, "null"]
              minimum: \#(Capacity.vcpuBounds.lowerBound)
              maximum: \#(Capacity.vcpuBounds.upperBound)
            memory:
              type: [string, "null"]
              description: a size (as `Size`) of at most \#(Capacity.memoryBounds.upperBound)
              pattern: '\#(OpenAPIDocument.sizePattern(atMost: Capacity.memoryBounds.upperBound))'
            disk:
              type: [string, "null"]
              description: a size (as `Size`) of at most \#(Capacity.diskBounds.upperBound)
              pattern: '\#(OpenAPIDocument.sizePattern(atMost: Capacity.diskBounds.upperBound))'
        ExistingID:
          type: [string, "null"]
          format: uuid
          description: left out for a new object (the API assigns one); an existing object's id to keep it in a new version
        Name:
          description: the variable name when left out at the top level
          anyOf:
            - {$ref: '#/components/schemas/ObjectName'}
            - {type: "null"}
        ObjectName:
          type: string
          description: |
            An object's or a variable's name: text in any script (letters, marks, digits,
            punctuation, symbols, spaces), at most 255 bytes of UTF-8, and nothing invisible or
            controlling: no control or formatting characters, line or paragraph separators,
            private-use, surrogate or unassigned code points. The pattern lists the allowed code
            points (`\U` spells those past U+FFFF, as Python, Rust and ICU read it). `maxLength`
            counts code points; the bound of 255 bytes is the API's (400 past it).
          minLength: 1
          maxLength: 255
          pattern: '\#(OpenAPIDocument.namePattern)'
        VariableReference:
          type: object
          title: variable reference
          required: [variable]
          additionalProperties: false
          properties:
            variable: {type: string, minLength: 1, description: a top-level variable of the same document}
        ImageNameReference:
          type: object
          title: image name reference
          description: |
            The one resource/image (of this document or already stored, not deleted) with this name;
            422 when none or several have it
          required: [name]
          additionalProperties: false
          properties:
            name: {$ref: '#/components/schemas/ObjectName'}
        IDReference:
          type: object
          title: id reference
          description: |
            An existing resource by id (of this spec or of none); fields beside the id change it
          required: [id]
          additionalProperties: false
          allOf: [{$ref: '#/components/schemas/OneDesiredStateKey'}]
          properties:
            type: {type: "null"}
            id: {type: string, format: uuid}
            name: {$ref: '#/components/schemas/Name'}
            status: {$ref: '#/components/schemas/NullableString'}
            state: {$ref: '#/components/schemas/NullableString'}
            arch: {$ref: '#/components/schemas/NullableString'}
            vcpus: {$ref: '#/components/schemas/NullableInt64'}
            memory: {$ref: '#/components/schemas/Size'}
            vnc_password: {$ref: '#/components/schemas/NullableString'}
            kernel: {$ref: '#/components/schemas/NullableString'}
            initrd: {$ref: '#/components/schemas/NullableString'}
            cmdline: {$ref: '#/components/schemas/NullableString'}
            hostname: {$ref: '#/components/schemas/NullableString'}
            ssh_authorized_keys:
              type: [array, "null"]
              items: {type: string}
            user_data: {$ref: '#/components/schemas/NullableString'}
            vnc_address: {$ref: '#/components/schemas/NullableString'}
            size: {$ref: '#/components/schemas/Size'}
            url: {$ref: '#/components/schemas/NullableString'}
            source: {$ref: '#/components/schemas/NullableString'}
            format: {$ref: '#/components/schemas/NullableString'}
            checksum: {$ref: '#/components/schemas/NullableString'}
            hw_addr: {$ref: '#/components/schemas/NullableString'}
            ip_addresses:
              type: [array, "null"]
              items: {type: string}
            bridge: {$ref: '#/components/schemas/NullableString'}
            subnets:
              type: [array, "null"]
              items: {$ref: '#/components/schemas/Subnet'}
            parameters:
              type: [object, "null"]
              additionalProperties: false
              properties:
                vlan_id: {$ref: '#/components/schemas/NullableInt64'}
            host_id: {$ref: '#/components/schemas/NullableObjectID'}
            capacity: {$ref: '#/components/schemas/Capacity'}
            dependencies: {$ref: '#/components/schemas/Dependencies'}
            relatioins: {$ref: '#/components/schemas/Dependencies', deprecated: true}
        Dependency:
          type: object
          required: [object, property]
          additionalProperties: false
          properties:
            object: {$ref: '#/components/schemas/DependencyTarget'}
            property: {$ref: '#/components/schemas/DependencyProperty'}
        DependencyProperty:
          type: object
          required: [r]
          additionalProperties: false
          description: "`boot_prority` is the seed's spelling of `boot_priority`: not both"
          dependentSchemas:
            n0stack/n0core/vm/boot_priority: {properties: {n0stack/n0core/vm/boot_prority: false}}
          properties:
            r:
              type: string
              description: |
                the relation: n0stack/n0core/vm/attachments (VM to volume or NIC),
                n0stack/n0core/port/network (NIC to network), n0stack/n0core/volume/image (volume to
                the image it is made from); n0stack/n0core/resource/scheduled
                (object to agent) is the scheduler's
            n0stack/n0core/vm/boot_priority: {$ref: '#/components/schemas/NullableInt64', description: "boot order of a VM's volume, 0 or more, lower first"}
            n0stack/n0core/vm/boot_prority: {$ref: '#/components/schemas/NullableInt64', deprecated: true}
    """#

    /// The seed's document (`SeedDocuments.submittedSpec`, the one copy) indented under the
    /// `SeedSpec` example's `value:`.
    static let seedExampleValue = SeedDocuments.submittedSpec
        .split(separator: "\n", omittingEmptySubsequences: false)
        .map { "            " + $0 }
        .joined(separator: "\n")
}
