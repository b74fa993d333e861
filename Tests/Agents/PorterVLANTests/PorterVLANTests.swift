import Testing
@testable import PorterVLAN
