"""Gateways to AWS, one module per service. boto3 only; typed errors out; no Textual."""
