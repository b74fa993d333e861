// swift-tools-version:6.1
import PackageDescription

/// n0core: the control plane of a small IaaS cloud. Each service is a library target that holds
/// its logic plus a thin executable; the broker and the store are shared libraries; rabbitmq-c and
/// libvirt come in through system-library targets.
let package = Package(
    name: "n0core",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "n0core-api", targets: ["n0core-api"]),
        .executable(name: "n0core-scheduler", targets: ["n0core-scheduler"]),
        .executable(name: "n0core-conductor", targets: ["n0core-conductor"]),
        .executable(name: "n0core-compute-kvm", targets: ["n0core-compute-kvm"]),
        .executable(name: "n0core-volumer-file", targets: ["n0core-volumer-file"]),
        .executable(name: "n0core-porter-vlan", targets: ["n0core-porter-vlan"]),
        .executable(name: "n0core", targets: ["n0core"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.0.0", traits: [.defaults, "YAML"]),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.20.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.25.0"),
        .package(url: "https://github.com/swift-otel/swift-w3c-trace-context", from: "1.0.0"),
        // Images: the volumer downloads them (docs/images.md). Both already come in through
        // Hummingbird's tests and postgres-nio.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.9.0" ..< "6.0.0"),
    ],
    targets: [
        // C libraries, from Debian's librabbitmq-dev and libvirt-dev.
        .systemLibrary(
            name: "CRabbitMQ",
            pkgConfig: "librabbitmq",
            providers: [.apt(["librabbitmq-dev"])]
        ),
        .systemLibrary(
            name: "CLibvirt",
            pkgConfig: "libvirt",
            providers: [.apt(["libvirt-dev"])]
        ),

        // The seed example's documents, verbatim: what tests and the benchmark send and expect.
        .target(name: "SeedExamples"),

        // The wire model and its codecs: pure, no I/O.
        .target(
            name: "Messages",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),

        // Shared libraries: the broker client, the store, and what every daemon shares.
        .target(
            name: "Broker",
            dependencies: [
                "CRabbitMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "Store",
            dependencies: [
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What every daemon shares (agents included): configuration, logging, health and
        // metrics (a health listener on SwiftNIO alone), the service group, deadlines. No
        // database and no web framework.
        .target(
            name: "ServiceSupport",
            dependencies: [
                "Broker",
                "MessageHandling",
                "Messages",
                .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The control services' database side: the pool as a service with migrations, the
        // outbox relay, retention, the store's errors as dispositions. Agents do not link it.
        .target(
            name: "ServiceDatabase",
            dependencies: [
                "ServiceSupport", "Store", "Broker", "MessageHandling", "Messages",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),

        // The one way a service receives messages: dispatch, disposition, retry, pause on an
        // outage, settle, metrics. Every consumer (scheduler, conductor, agents) supplies only
        // its handler. Depends on the broker only, so agents do not link the store.
        .target(
            name: "MessageHandling",
            dependencies: [
                "Broker",
                "Messages",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // The typed clients: the messages addressed to each service, built in one place so no
        // service spells another's routing key.
        .target(name: "Clients", dependencies: [
            "Messages", "Broker", "ServiceSupport", "MessageHandling",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
        ]),

        // Services: the logic lives in these libraries.
        .target(name: "API", dependencies: ["Messages", "SeedExamples", "Broker", "Store", "ServiceSupport", "ServiceDatabase", "Clients", "MessageHandling",
                                            "Scheduler",
                                            .product(name: "Hummingbird", package: "hummingbird"),
                                            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                                            .product(name: "NIOCore", package: "swift-nio"),
                                            .product(name: "NIOFoundationCompat", package: "swift-nio")]),
        .target(name: "Scheduler", dependencies: ["Messages", "Broker", "Store", "ServiceSupport", "ServiceDatabase", "Clients", "MessageHandling"]),
        .target(name: "Conductor", dependencies: ["Messages", "Broker", "Store", "ServiceSupport", "ServiceDatabase", "Clients", "MessageHandling",
                                                  .product(name: "Configuration", package: "swift-configuration"),
                                                  .product(name: "Logging", package: "swift-log"),
                                                  .product(name: "Metrics", package: "swift-metrics"),
                                                  .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                                                  .product(name: "W3CTraceContext", package: "swift-w3c-trace-context")]),
        .target(name: "AgentRuntime", dependencies: ["Messages", "Broker", "ServiceSupport", "Clients", "MessageHandling",
                                                     .product(name: "Configuration", package: "swift-configuration"),
                                                     .product(name: "Logging", package: "swift-log"),
                                                     .product(name: "Metrics", package: "swift-metrics"),
                                                     .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                                                     .product(name: "W3CTraceContext", package: "swift-w3c-trace-context")],
                path: "Sources/Agents/Runtime"),
        .target(name: "ComputeKVM", dependencies: ["AgentRuntime", "CLibvirt", "Messages", "ServiceSupport", .product(name: "Configuration", package: "swift-configuration"), .product(name: "Logging", package: "swift-log")],
                path: "Sources/Agents/ComputeKVM"),
        .target(name: "VolumerFile", dependencies: ["AgentRuntime", "Messages", "ServiceSupport",
                                                    .product(name: "Configuration", package: "swift-configuration"),
                                                    .product(name: "AsyncHTTPClient", package: "async-http-client"),
                                                    .product(name: "Crypto", package: "swift-crypto"),
                                                    .product(name: "NIOCore", package: "swift-nio"),
                                                    .product(name: "NIOHTTP1", package: "swift-nio"),
                                                    .product(name: "NIOPosix", package: "swift-nio"),
                                                    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                                                    .product(name: "Logging", package: "swift-log")],
                path: "Sources/Agents/VolumerFile"),
        .target(name: "PorterVLAN", dependencies: ["AgentRuntime", "Messages", "ServiceSupport", .product(name: "Configuration", package: "swift-configuration"), .product(name: "Logging", package: "swift-log")],
                path: "Sources/Agents/PorterVLAN"),

        // The command-line client: configuration, the API client, the event stream, progress and
        // output formatting. It talks to the API over HTTP only, so it links no service library.
        .target(name: "CLI", dependencies: [
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Yams", package: "Yams"),
        ]),
        .executableTarget(name: "n0core", dependencies: ["CLI"], path: "Sources/Executables/n0core"),

        // Thin executables: parse the command line, read configuration, run the service group.
        .executableTarget(name: "n0core-api", dependencies: ["ServiceDatabase", "API", "Clients", "ServiceSupport", "Broker",
                                                            .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Sources/Executables/n0core-api"),
        .executableTarget(name: "n0core-scheduler", dependencies: ["ServiceDatabase", "Scheduler", "Clients", "ServiceSupport", "Broker",
                                                            .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Sources/Executables/n0core-scheduler"),
        .executableTarget(name: "n0core-conductor", dependencies: ["ServiceDatabase", "Conductor", "Clients", "ServiceSupport", "Broker",
                                                            .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Sources/Executables/n0core-conductor"),
        .executableTarget(name: "n0core-compute-kvm", dependencies: ["ComputeKVM", "AgentRuntime", "Messages", "ServiceSupport", "Broker",
                                                            .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Sources/Executables/n0core-compute-kvm"),
        .executableTarget(name: "n0core-volumer-file", dependencies: ["VolumerFile", "AgentRuntime", "ServiceSupport", "Broker",
                                                            .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Sources/Executables/n0core-volumer-file"),
        .executableTarget(name: "n0core-porter-vlan", dependencies: ["PorterVLAN", "AgentRuntime", "Messages", "ServiceSupport", "Broker",
                                                            .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Sources/Executables/n0core-porter-vlan"),

        .testTarget(name: "CLITests", dependencies: [
            "CLI",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Yams", package: "Yams"),
        ]),
        .testTarget(name: "MessagesTests", dependencies: ["Messages", "TestSupport"]),
        .testTarget(name: "MessageHandlingTests", dependencies: [
            "MessageHandling", "Broker",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "MetricsTestKit", package: "swift-metrics"),
        ]),
        .testTarget(name: "BrokerTests", dependencies: ["Broker", "ServiceSupport", "TestSupport"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "TestSupport"]),
        .testTarget(name: "ServiceSupportTests", dependencies: [
            "ServiceSupport", "ServiceDatabase", "Broker", "Store", "TestSupport",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "MetricsTestKit", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "APITests", dependencies: [
            "API", "TestSupport", "ServiceSupport", "ServiceDatabase", "Clients", "Broker", "Store", "Messages",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Yams", package: "Yams"),
        ]),
        .testTarget(name: "SchedulerTests", dependencies: ["Scheduler", "AgentRuntime", "API", "Store", "Broker", "Messages", "TestSupport", "ServiceSupport", "ServiceDatabase", "Clients",
                                                      .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                                                      .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "ConductorTests", dependencies: ["Conductor", "TestSupport", "ServiceSupport", "ServiceDatabase", "Clients", "API", "MessageHandling",
                                                           .product(name: "Metrics", package: "swift-metrics"),
                                                           .product(name: "MetricsTestKit", package: "swift-metrics")]),
        .testTarget(name: "AgentRuntimeTests", dependencies: [
                        "AgentRuntime", "TestSupport", "Clients", "Broker", "Messages", "ServiceSupport", "MessageHandling",
                        .product(name: "Logging", package: "swift-log"),
                        .product(name: "Metrics", package: "swift-metrics"),
                        .product(name: "MetricsTestKit", package: "swift-metrics"),
                        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                    ],
                    path: "Tests/Agents/RuntimeTests"),
        .testTarget(name: "VolumerFileTests", dependencies: [
                        "VolumerFile", "AgentRuntime", "TestSupport", "Clients", "Broker", "Messages", "ServiceSupport",
                        .product(name: "Logging", package: "swift-log"),
                        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                    ],
                    path: "Tests/Agents/VolumerFileTests"),
        .testTarget(name: "PorterVLANTests", dependencies: [
                        "PorterVLAN", "AgentRuntime", "TestSupport", "Clients", "Broker", "Messages", "ServiceSupport",
                        .product(name: "Logging", package: "swift-log"),
                    ],
                    path: "Tests/Agents/PorterVLANTests"),
        .testTarget(name: "ComputeKVMTests", dependencies: [
                        "ComputeKVM", "AgentRuntime", "TestSupport", "Clients", "Broker", "Messages", "ServiceSupport",
                        .product(name: "Logging", package: "swift-log"),
                        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                    ],
                    path: "Tests/Agents/ComputeKVMTests"),

        // The six services as separate processes on the real broker and database, with real
        // agents in a network namespace.
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport"], path: "Tests/EndToEndTests"),

        // Faults across the whole pipeline in one process (the database cut off from every
        // service through a relay), with simulated agents.
        .testTarget(name: "FaultTests", dependencies: [
            "API", "Scheduler", "Conductor", "AgentRuntime", "SimulatedHypervisors", "ServiceSupport", "ServiceDatabase", "Store", "Broker",
            "Clients", "Messages", "MessageHandling", "TestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),

        // Benchmarks (docs/performance.md): simulated hypervisors for scale runs only (real agent
        // runtimes, drivers that create nothing), the load generator with its floor measurement
        // and report, and their executables.
        .target(name: "SimulatedHypervisors", dependencies: [
                    "AgentRuntime", "Messages", "Broker", "Clients", "ServiceSupport",
                    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                ],
                path: "Sources/Agents/Simulated"),
        .target(name: "Bench", dependencies: [
            "Messages", "Broker", "Store", "Scheduler", "SeedExamples",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .executableTarget(name: "n0core-bench", dependencies: ["Bench", "Broker",
                                                            .product(name: "ArgumentParser", package: "swift-argument-parser"),
                                                            .product(name: "Logging", package: "swift-log")],
                          path: "Sources/Executables/n0core-bench"),
        .executableTarget(name: "n0core-simulated-hypervisors", dependencies: ["SimulatedHypervisors", "AgentRuntime", "Messages", "ServiceSupport",
                                                            .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Sources/Executables/n0core-simulated-hypervisors"),
        .testTarget(name: "BenchTests", dependencies: ["Bench", "SimulatedHypervisors", "AgentRuntime", "Messages", "Scheduler"]),

        // What the test targets share: the seed's documents, and the integration environment
        // (real broker and database from N0CORE_* variables; skipped loudly, failing under CI=true).
        .target(name: "TestSupport", dependencies: [
            "Broker", "Store", "AgentRuntime", "SeedExamples", "ServiceSupport",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/TestSupport"),
    ]
)
