import Testing
@testable import ComputeKVM
