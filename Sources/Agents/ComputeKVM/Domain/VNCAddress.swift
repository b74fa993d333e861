import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Where a running guest's VNC console listens (`127.0.0.1:5901`, `[::1]:5900`), as libvirt
/// assigned it: every domain asks for `autoport`, so libvirt picks the first free port from
/// 5900 when the guest starts and writes it into the live XML. The VM's `vnc_address` is this.
public enum VNCAddress {
    /// The address in a live domain XML; nil when it has no VNC console or no port yet (libvirt
    /// writes `port='-1'` for a guest that is not running).
    public static func read(liveXML xml: String) -> String? {
        // XPath only from the root element: Foundation's XPath on a document without one crashes.
        guard let document = try? XMLDocument(xmlString: xml, options: []),
              let root = document.rootElement(), root.name == "domain",
              let graphics = (try? root.nodes(forXPath: "devices/graphics[@type='vnc']"))?.first as? XMLElement
        else { return nil }
        let listen = graphics.attribute(forName: "listen")?.stringValue
            ?? graphics.elements(forName: "listen").first?.attribute(forName: "address")?.stringValue
        return format(listen: listen ?? "", port: graphics.attribute(forName: "port")?.stringValue)
    }

    /// `host:port`, IPv6 hosts in brackets; nil without a usable port or host.
    static func format(listen: String, port: String?) -> String? {
        guard let port = port.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), (1...65_535).contains(port),
              !listen.isEmpty else { return nil }
        return listen.contains(":") ? "[\(listen)]:\(port)" : "\(listen):\(port)"
    }
}
