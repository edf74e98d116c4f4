# drgn.helpers.linux.tcp: TCP — a socket's protocol state as the kernel's TCP state
# enum (TCP_ESTABLISHED, TCP_LISTEN, ...).
from drgn import cast
from drgn.helpers import _fallback

__all__ = ("sk_tcpstate",)


def sk_tcpstate(sk):
    """The `struct sock *`'s skc_state as an Object of the TCP state enum."""
    state_enum = sk.prog_["TCP_ESTABLISHED"].type_
    return cast(state_enum, sk.__sk_common.skc_state.read_())


__getattr__ = _fallback.module_getattr(__name__)
