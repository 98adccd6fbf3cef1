"""Payments: methods (plugins behind ``hookbill_payment_methods``) and recording money received."""
