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
        progress, and read the resource graph. Every /api/ route needs `Authorization: Bearer TOKEN`.
        Bodies are YAML or JSON by Content-Type; answers follow Accept, else the body's format.
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
            "201": {description: The resolved document with its spec id, ids and desired states, content: {application/json: {schema: {$ref: '#/components/schemas/SpecResponse'}}, application/yaml: {schema: {$ref: '#/components/schemas/SpecResponse'}}}}
            "400": {$ref: '#/components/responses/Error'}
            "401": {$ref: '#/components/responses/Error'}
            "413": {$ref: '#/components/responses/Error'}
            "422": {$ref: '#/components/responses/Error'}
      /api/spec/{id}:
        parameters: [{$ref: '#/components/parameters/SpecID'}]
        get:
          summary: The latest version and each object's progress (PENDING, SCHEDULED, APPLIED, FAILED)
          responses:
            "200": {description: Spec status, content: {application/json: {schema: {type: object}}}}
            "404": {$ref: '#/components/responses/Error'}
        put:
          summary: A new version; the body's `version` is the version it replaces
          requestBody: {$ref: '#/components/requestBodies/SpecDocument'}
          responses:
            "200": {description: The new version, content: {application/json: {schema: {$ref: '#/components/schemas/SpecResponse'}}}}
            "404": {$ref: '#/components/responses/Error'}
            "409": {$ref: '#/components/responses/Error'}
            "422": {$ref: '#/components/responses/Error'}
        delete:
          summary: A new version that drives every object of the spec to `deleted`
          responses:
            "202": {description: The deleting version, content: {application/json: {schema: {$ref: '#/components/schemas/SpecResponse'}}}}
            "404": {$ref: '#/components/responses/Error'}
      /api/spec/{id}/versions/{version}:
        parameters:
          - {$ref: '#/components/parameters/SpecID'}
          - {name: version, in: path, required: true, schema: {type: integer, minimum: 0}}
        get:
          summary: One stored version (VNC passwords masked)
          responses:
            "200": {description: The version, content: {application/json: {schema: {$ref: '#/components/schemas/SpecResponse'}}}}
            "404": {$ref: '#/components/responses/Error'}
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
      /api/objects/{id}:
        parameters: [{name: id, in: path, required: true, schema: {type: string, format: uuid}}]
        get:
          summary: One node of the graph
          responses:
            "200": {description: The node, content: {application/json: {schema: {$ref: '#/components/schemas/Node'}}}}
            "404": {$ref: '#/components/responses/Error'}
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
            application/json:
              schema:
                type: object
                properties:
                  error: {type: string}
                  status: {type: integer}
                  problems: {type: array, items: {type: object, properties: {path: {type: string}, message: {type: string}}}}
      schemas:
        SpecDocument:
          type: object
          required: [spec]
          properties:
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
