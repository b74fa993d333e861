import TestSupport
import Testing

extension SeedExampleEndToEndTests {
    /// Every service's `/metrics` once the seed's example was applied and then deleted (two
    /// versions of four objects): the domain metrics, with the counts this run made.
    func expectDomainMetrics(of cluster: Cluster) async throws {
        // Gauges are set periodically: the outbox backlog every 5 s, the agents at every sweep.
        try await waitUntil("the control services' gauges caught up", within: .seconds(30)) {
            let conductor = try cluster.metrics(of: "n0core-conductor")
            return try cluster.metrics(of: "n0core-api").value("n0core_outbox_pending_messages") == 0
                && conductor.value("n0core_agents", ["state": "alived"]) == 3
        }

        let api = try cluster.metrics(of: "n0core-api")
        #expect(api.value("n0core_spec_versions_accepted_total") == 2, "the POST and the DELETE")
        #expect(api.value("n0core_outbox_published_total", ["type": "Spec"]) ?? 0 >= 2)
        #expect(api.value("n0core_outbox_oldest_pending_age_seconds") == 0)

        let scheduler = try cluster.metrics(of: "n0core-scheduler")
        #expect(scheduler.value("n0core_messages_consumed_total", ["queue": "scheduler"]) ?? 0 >= 2)
        #expect(scheduler.value("n0core_outbox_published_total", ["type": "Request"]) ?? 0 >= 8, "four objects, twice")
        #expect(scheduler.value("n0core_outbox_pending_messages") != nil)

        let conductor = try cluster.metrics(of: "n0core-conductor")
        #expect(conductor.value("n0core_spec_versions_settled_total", ["state": "applied"]) == 2)
        #expect(conductor.value("n0core_spec_accepted_to_applied_seconds_count") == 2)
        #expect(conductor.value("n0core_spec_accepted_to_applied_seconds_sum") ?? 0 > 0)
        #expect(conductor.value("n0core_messages_consumed_total", ["queue": "conductor"]) ?? 0 >= 8, "eight results at least")
        for type in ["agent/compute/kvm", "agent/volumer/file", "agent/porter/vlan"] {
            #expect(conductor.value("n0core_agents", ["type": type, "state": "alived"]) == 1, "\(type)")
            #expect(conductor.value("n0core_agents", ["type": type, "state": "dead"]) == 0, "\(type)")
        }

        let drivers = [
            "n0core-compute-kvm": ("agent/compute/kvm", ["resource/vm/kvm"]),
            "n0core-volumer-file": ("agent/volumer/file", ["resource/volume/file"]),
            "n0core-porter-vlan": ("agent/porter/vlan", ["resource/nic", "resource/network/vlan"]),
        ]
        for (executable, (driver, types)) in drivers.sorted(by: { $0.key < $1.key }) {
            let agent = try cluster.metrics(of: executable)
            #expect(agent.value("n0core_messages_consumed_total") ?? 0 >= 2, "\(executable)")
            for type in types {
                for operation in ["apply", "remove"] {
                    let labels = ["driver": driver, "type": type, "operation": operation]
                    #expect(agent.value("n0core_driver_operations_total", labels.merging(["outcome": "succeeded"]) { $1 }) ?? 0 >= 1,
                            "\(executable): \(operation) of a \(type)")
                    #expect(agent.value("n0core_driver_operation_seconds_count", labels) ?? 0 >= 1, "\(executable)")
                }
            }
        }

        for executable in ["n0core-api", "n0core-scheduler", "n0core-conductor"] + drivers.keys.sorted() {
            let metrics = try cluster.metrics(of: executable)
            #expect(metrics.value("n0core_spec_versions_settled_total", ["state": "failed"]) == nil, "\(executable)")
            #expect(metrics.value("n0core_messages_dead_lettered_total") == nil, "nothing dead-lettered by \(executable)")
            print("----- \(executable) /metrics (n0core series, buckets left out) -----")
            print(metrics.domainLines.joined(separator: "\n"))
        }
    }
}
