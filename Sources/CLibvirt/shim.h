#ifndef N0CORE_CLIBVIRT_SHIM_H
#define N0CORE_CLIBVIRT_SHIM_H
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#endif
