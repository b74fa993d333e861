#ifndef N0CORE_CRABBITMQ_SHIM_H
#define N0CORE_CRABBITMQ_SHIM_H
// rabbitmq-c 0.11 (Debian's librabbitmq-dev) installs its headers at the top of the include path.
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <amqp_framing.h>
#endif
