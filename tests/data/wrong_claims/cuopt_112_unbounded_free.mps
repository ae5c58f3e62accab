NAME
ROWS
 N  OBJ
COLUMNS
    x1        OBJ       1
    x2        OBJ       1
    x3        OBJ       1
    x4        OBJ       1
    x5        OBJ       1
RHS
RANGES
BOUNDS
 FR bounds    x1
 FR bounds    x2
 FR bounds    x3
 FR bounds    x4
 FR bounds    x5
ENDATA
