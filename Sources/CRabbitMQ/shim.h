#ifndef N0CORE_CRABBITMQ_SHIM_H
#define N0CORE_CRABBITMQ_SHIM_H
// rabbitmq-c 0.11 (Debian's librabbitmq-dev) installs its headers at the top of the include path.
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <amqp_ssl_socket.h>
#include <amqp_framing.h>

// The two OpenSSL functions below, declared as OpenSSL 1.1/3 declares them (SSL_CTX and
// X509_VERIFY_PARAM are typedefs of these structs). OpenSSL's own headers are not included so
// that its types stay out of the Swift module, where they would meet BoringSSL's (swift-nio-ssl)
// of the same names. librabbitmq-dev depends on libssl-dev, so the library is always there.
struct ssl_ctx_st;
struct X509_VERIFY_PARAM_st;
extern struct X509_VERIFY_PARAM_st *SSL_CTX_get0_param(struct ssl_ctx_st *ctx);
extern int X509_VERIFY_PARAM_set1_ip_asc(struct X509_VERIFY_PARAM_st *param, const char *ipasc);

// rabbitmq-c 0.11 checks the broker's name against the DNS names of its certificate only, so a
// broker reached by IP address could never pass. For an address, OpenSSL's chain verification
// (which rabbitmq-c's peer verification reports) is told to require it among the certificate's
// IP subjectAltNames instead. Returns 1 on success, 0 when `address` is not an IP address.
static inline int n0core_amqp_ssl_socket_expect_ip_address(amqp_socket_t *socket, const char *address) {
    struct ssl_ctx_st *context = (struct ssl_ctx_st *)amqp_ssl_socket_get_context(socket);
    return X509_VERIFY_PARAM_set1_ip_asc(SSL_CTX_get0_param(context), address);
}
#endif
