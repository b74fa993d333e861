/// The OpenAPI description served at `/api/openapi.yaml`. `APITests` checks that its paths and
/// methods are exactly the router's, so it cannot drift from the code.
enum OpenAPIDocument {
    static let yaml = """
    openapi: 3.0.3
    info:
      title: n0core API
      version: "1"
      description: |
        Submit specs (YAML or JSON documents of VMs, volumes, NICs and networks), follow their
        progress, and read the resource graph. Every /api/ route needs `Authorization: Bearer TOKEN`
        (the scheme in any case). Bodies are YAML or JSON by Content-Type (YAML when none is given;
        any other type is 415); answers follow Accept, else the body's format. `vnc_password` is
        shown only in the answer of the POST or PUT that set it; every other answer shows
        `********`, which sent back in a PUT keeps the stored password.
    servers:
      - url: http://127.0.0.1:8080
    security:
      - bearer: []
    paths:
      /api/spec:
        post:
          summary: Submit a new spec (version 0); `/api/spec/` (the seed's spelling) is the same route
          requestBody: {$ref: '#/components/requestBodies/SpecDocument'}
          responses:
            "201": {description: The resolved document with its spec id, ids and desired states (VNC passwords as sent), content: {application/json: {schema: {$ref: '#/components/schemas/SpecResponse'}}, application/yaml: {schema: {$ref: '#/components/schemas/SpecResponse'}}}}
            "400": {$ref: '#/components/responses/Error'}
            "401": {$ref: '#/components/responses/Error'}
            "413": {$ref: '#/components/responses/Error'}
            "415": {$ref: '#/components/responses/Error'}
            "422": {$ref: '#/components/responses/Error'}
            "503": {$ref: '#/components/responses/Unavailable'}
      /api/spec/{id}:
        parameters: [{$ref: '#/components/parameters/SpecID'}]
        get:
          summary: The latest version and each object's progress (PENDING, WAITING, SCHEDULED, APPLIED, RESCHEDULED, FAILED), with the version that progress belongs to (an object a later version left unchanged keeps that of the version that applied it)
          responses:
            "200": {description: Spec status, content: {application/json: {schema: {type: object}}}}
            "404": {$ref: '#/components/responses/Error'}
            "503": {$ref: '#/components/responses/Unavailable'}
        put:
          summary: A new version; the body's `version` is the version it replaces. A version read with GET /api/spec/{id}/versions/{v} is accepted unchanged (its `id` and `created_at` must be this spec's and that version's; `********` keeps the stored VNC password)
          requestBody: {$ref: '#/components/requestBodies/SpecDocument'}
          responses:
            "200": {description: The new version (VNC passwords shown only where this request set them), content: {application/json: {schema: {$ref: '#/components/schemas/SpecResponse'}}}}
            "400": {$ref: '#/components/responses/Error'}
            "401": {$ref: '#/components/responses/Error'}
            "404": {$ref: '#/components/responses/Error'}
            "409": {$ref: '#/components/responses/Error'}
            "413": {$ref: '#/components/responses/Error'}
            "415": {$ref: '#/components/responses/Error'}
            "422": {$ref: '#/components/responses/Error'}
            "503": {$ref: '#/components/responses/Unavailable'}
        delete:
          summary: A new version that drives every object of the spec to `deleted`
          responses:
            "202": {description: The deleting version (VNC passwords masked), content: {application/json: {schema: {$ref: '#/components/schemas/SpecResponse'}}}}
            "404": {$ref: '#/components/responses/Error'}
            "503": {$ref: '#/components/responses/Unavailable'}
      /api/spec/{id}/versions/{version}:
        parameters:
          - {$ref: '#/components/parameters/SpecID'}
          - {name: version, in: path, required: true, schema: {type: integer, minimum: 0}}
        get:
          summary: One stored version (VNC passwords masked), in the form PUT takes back unchanged
          responses:
            "200": {description: The version, content: {application/json: {schema: {$ref: '#/components/schemas/SpecResponse'}}}}
            "404": {$ref: '#/components/responses/Error'}
            "503": {$ref: '#/components/responses/Unavailable'}
      /api/graph:
        get:
          summary: Nodes and edges of a spec, or around one object
          parameters:
            - {name: spec_id, in: query, schema: {type: integer}}
            - {name: object_id, in: query, schema: {type: string, format: uuid}}
            - {name: depth, in: query, schema: {type: integer, minimum: 0, maximum: 16, default: 1}}
          responses:
            "200": {description: The graph, content: {application/json: {schema: {$ref: '#/components/schemas/Graph'}}}}
            "400": {$ref: '#/components/responses/Error'}
            "404": {description: No such spec or object, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
            "503": {$ref: '#/components/responses/Unavailable'}
      /api/objects/{id}:
        parameters: [{name: id, in: path, required: true, schema: {type: string, format: uuid}}]
        get:
          summary: One node of the graph
          responses:
            "200": {description: The node, content: {application/json: {schema: {$ref: '#/components/schemas/Node'}}}}
            "400": {$ref: '#/components/responses/Error'}
            "404": {$ref: '#/components/responses/Error'}
            "503": {$ref: '#/components/responses/Unavailable'}
      /api/openapi.yaml:
        get:
          summary: This document
          responses:
            "200": {description: OpenAPI 3 YAML}
    components:
      securitySchemes:
        bearer: {type: http, scheme: bearer}
      parameters:
        SpecID: {name: id, in: path, required: true, schema: {type: integer, minimum: 1}}
      requestBodies:
        SpecDocument:
          required: true
          content:
            application/yaml: {schema: {$ref: '#/components/schemas/SpecDocument'}}
            application/json: {schema: {$ref: '#/components/schemas/SpecDocument'}}
      responses:
        Error:
          description: What is wrong, with the path of every offending field
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
        Unavailable:
          description: The database is unavailable or did not answer in time; nothing was changed, send the request again
          headers:
            Retry-After: {schema: {type: integer}, description: seconds}
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
      schemas:
        Error:
          type: object
          properties:
            error: {type: string}
            status: {type: integer}
            problems: {type: array, items: {type: object, properties: {path: {type: string}, message: {type: string}}}}
        SpecDocument:
          type: object
          required: [spec]
          properties:
            id: {type: integer, readOnly: true, description: "as GET answers it; on PUT it must be the spec in the path, on POST it is refused"}
            created_at: {type: string, format: date-time, readOnly: true, description: "as GET answers it; on PUT it must be when the replaced version was stored, on POST it is refused"}
            version: {type: integer, description: "0 (or absent) on POST; on PUT the version replaced"}
            annotations: {type: object, additionalProperties: true}
            spec: {type: object, description: "variable name -> object", additionalProperties: {type: object}}
        SpecResponse:
          type: object
          properties:
            id: {type: integer}
            created_at: {type: string, format: date-time}
            version: {type: integer}
            annotations: {type: object}
            spec: {type: object}
        Node:
          type: object
          properties:
            id: {type: string, format: uuid}
            type: {type: string}
            name: {type: string}
            spec_id: {type: integer}
            desired_state: {type: string}
            observed_state: {type: string}
            updated_at: {type: string}
            object: {type: object}
        Graph:
          type: object
          properties:
            nodes: {type: array, items: {$ref: '#/components/schemas/Node'}}
            edges: {type: array, items: {type: object, properties: {source: {type: string}, target: {type: string}, relation: {type: string}, property: {type: object}}}}
    """
}
