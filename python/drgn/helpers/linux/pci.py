# drgn.helpers.linux.pci: PCI devices and buses — every device registered on
# pci_bus_type, the root buses (pci_root_buses) and each bus's child buses and devices,
# names ("0000:00:1f.2", "0000:00") and a device's bridge / PCI Express port type.
import enum
import os

from drgn import container_of
from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux.list import list_for_each_entry

__all__ = (
    "for_each_pci_dev",
    "for_each_pci_root_bus",
    "pci_bus_for_each_child",
    "pci_bus_for_each_dev",
    "pci_bus_name",
    "pci_is_bridge",
    "pci_name",
    "pci_pcie_type",
)


class PCI_EXP_TYPE(enum.IntEnum):
    """Device/Port Type of the PCI Express Capabilities register (pci_regs.h)."""

    ENDPOINT = 0x0
    LEG_END = 0x1
    ROOT_PORT = 0x4
    UPSTREAM = 0x5
    DOWNSTREAM = 0x6
    PCI_BRIDGE = 0x7
    PCIE_BRIDGE = 0x8
    RC_END = 0x9
    RC_EC = 0xA


def _dev_name(dev):
    # A device's name is its kobject's; init_name is only set until registration.
    init_name = dev.init_name.read_()
    if init_name:
        return init_name.string_()
    return dev.kobj.name.string_()


def _bus_private(prog, bus):
    # The driver core's struct subsys_private of a bus: bus->p until 6.3 (commit
    # d2bf38c088e0 removed it); always found among bus_kset's registered subsystems.
    if bus.type_.type.has_member("p"):
        return bus.p.read_()
    address = bus.value_()
    for sp in list_for_each_entry("struct subsys_private", prog["bus_kset"].list.address_of_(),
                                  "subsys.kobj.entry"):
        if sp.bus.value_() == address:
            return sp
    raise LookupError("PCI bus type is not registered")


@takes_program_or_default
def for_each_pci_dev(prog):
    """Each `struct pci_dev *` registered on the PCI bus, in registration order."""
    sp = _bus_private(prog, prog["pci_bus_type"].address_of_())
    pci_dev = prog.type("struct pci_dev")
    for priv in list_for_each_entry("struct device_private", sp.klist_devices.k_list.address_of_(),
                                    "knode_bus.n_node"):
        yield container_of(priv.device, pci_dev, "dev")


@takes_program_or_default
def for_each_pci_root_bus(prog):
    """Each root `struct pci_bus *` (one per host bridge)."""
    return list_for_each_entry("struct pci_bus", prog["pci_root_buses"].address_of_(), "node")


def pci_bus_for_each_child(bus):
    """Each `struct pci_bus *` directly below `bus` (behind its bridges)."""
    return list_for_each_entry("struct pci_bus", bus.children.address_of_(), "node")


def pci_bus_for_each_dev(bus):
    """Each `struct pci_dev *` on `bus`."""
    return list_for_each_entry("struct pci_dev", bus.devices.address_of_(), "bus_list")


def pci_name(dev):
    """The device's name (str), domain:bus:device.function."""
    return os.fsdecode(_dev_name(dev.dev))


def pci_bus_name(bus):
    """The bus's name (str), domain:bus."""
    return os.fsdecode(_dev_name(bus.dev))


def pci_is_bridge(dev):
    """Whether the device's configuration header is a PCI-to-PCI (type 1) or CardBus
    (type 2) bridge header."""
    return dev.hdr_type.value_() in (1, 2)


def pci_pcie_type(dev):
    """The PCI Express Device/Port Type (bits 7:4 of the PCIe capabilities register):
    a PCI_EXP_TYPE, or the int for an unknown value."""
    value = (dev.pcie_flags_reg.value_() >> 4) & 0xF
    try:
        return PCI_EXP_TYPE(value)
    except ValueError:
        return value


__getattr__ = _fallback.module_getattr(__name__)
