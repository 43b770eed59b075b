"""bangfu (帮扶): runs a county's yearly social assistance plan."""
