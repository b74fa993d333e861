extension Migrations {
    /// Migration 6: each agent's claim totals kept as they change, so the scheduler's "what is
    /// free on these agents" reads one row per agent instead of summing every claim in the cloud
    /// for every spec (a cost that grew with everything ever placed).
    ///
    /// `nodes_dead_agents` lets the sweep start from the few dead agents instead of reading every
    /// `scheduled` edge.
    ///
    /// A row trigger on `claims` keeps `agent_claim_totals` in step in the same transaction: the
    /// scheduler writes claims only after locking the agents' nodes, so the totals rows of an
    /// agent are written by one transaction at a time. Existing claims are summed once here.
    static let agentLookups = Migration(
        version: 6,
        name: "claim totals per agent, dead agents index",
        statements: [
            """
            CREATE TABLE agent_claim_totals (
                agent_id     uuid   PRIMARY KEY,
                vcpus        bigint NOT NULL DEFAULT 0,
                memory_bytes bigint NOT NULL DEFAULT 0,
                disk_bytes   bigint NOT NULL DEFAULT 0,
                claims       bigint NOT NULL DEFAULT 0
            )
            """,
            """
            INSERT INTO agent_claim_totals (agent_id, vcpus, memory_bytes, disk_bytes, claims)
            SELECT agent_id, sum(vcpus), sum(memory_bytes), sum(disk_bytes), count(*) FROM claims GROUP BY agent_id
            """,
            """
            CREATE FUNCTION claims_keep_agent_totals() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
                    UPDATE agent_claim_totals
                    SET vcpus = vcpus - OLD.vcpus, memory_bytes = memory_bytes - OLD.memory_bytes,
                        disk_bytes = disk_bytes - OLD.disk_bytes, claims = claims - 1
                    WHERE agent_id = OLD.agent_id;
                END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                    INSERT INTO agent_claim_totals AS t (agent_id, vcpus, memory_bytes, disk_bytes, claims)
                    VALUES (NEW.agent_id, NEW.vcpus, NEW.memory_bytes, NEW.disk_bytes, 1)
                    ON CONFLICT (agent_id) DO UPDATE SET
                        vcpus = t.vcpus + EXCLUDED.vcpus, memory_bytes = t.memory_bytes + EXCLUDED.memory_bytes,
                        disk_bytes = t.disk_bytes + EXCLUDED.disk_bytes, claims = t.claims + 1;
                END IF;
                RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER claims_agent_totals AFTER INSERT OR UPDATE OR DELETE ON claims
            FOR EACH ROW EXECUTE FUNCTION claims_keep_agent_totals()
            """,
            "CREATE INDEX nodes_dead_agents ON nodes (id) WHERE desired_state = 'dead' AND type LIKE 'agent/%'",
        ]
    )
}
