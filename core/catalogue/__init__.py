"""The catalogue: product groups, products, their prices per billing cycle and change paths."""
