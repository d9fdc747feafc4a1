"""FPGA Image Service: a registry that speaks the Huawei Cloud ECS FPGA image API."""

__version__ = "0.1.0"
