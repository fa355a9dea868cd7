package privacy

// rosterTables declares the roster area's tables.
var rosterTables = []Table{}
