* scipy issue #6139: all variables free
NAME scipy_6139
ROWS
 N  obj
 L  r1
 E  r2
 E  r3
COLUMNS
    x1 obj 1
    x1 r2 1
    x1 r3 -1000
    x2 obj 1
    x2 r1 -1000000
    x3 obj 1
    x3 r1 -1010000
    x3 r3 -1000
RHS
    rhs r1 -10000000
    rhs r2 5
    rhs r3 -10000
BOUNDS
 FR bnd x1
 FR bnd x2
 FR bnd x3
ENDATA
