"""hookbill-hello's schema migrations: ``mNNNN_name.py`` modules with ``up(db, migrator)``, applied once each."""
