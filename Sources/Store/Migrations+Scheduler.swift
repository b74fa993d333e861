extension Migrations {
    /// Migration 2: what the scheduler has promised each agent, and the lookups it makes on the
    /// graph.
    ///
    /// - `claims`: an object holds at most one claim; an agent's free capacity is its reported
    ///   capacity minus the sum of its claims. `claims_agent` makes that sum an index scan.
    /// - `nodes_agent_host`: the agents of one host (a spec pinned with
    ///   `n0stack/scheduling/host_id`) without reading every agent's document.
    /// - `nodes_nic_hw_addr`: whether a MAC address is already used by a NIC, checked for every
    ///   address the scheduler assigns.
    static let schedulerClaims = Migration(
        version: 2,
        name: "scheduler claims",
        statements: [
            """
            CREATE TABLE claims (
                object_id    uuid        PRIMARY KEY,
                agent_id     uuid        NOT NULL,
                spec_id      bigint,
                vcpus        integer     NOT NULL DEFAULT 0,
                memory_bytes bigint      NOT NULL DEFAULT 0,
                disk_bytes   bigint      NOT NULL DEFAULT 0,
                created_at   timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE INDEX claims_agent ON claims (agent_id)",
            "CREATE INDEX nodes_agent_host ON nodes ((object->>'host_id')) WHERE type LIKE 'agent/%'",
            "CREATE INDEX nodes_nic_hw_addr ON nodes (lower(object->>'hw_addr')) WHERE type = 'resource/nic'",
        ]
    )
}
