* scipy issue #8664 (default bounds a >= 0); row 0*a = 3 makes it infeasible
NAME scipy_8664
ROWS
 N  obj
 L  r1
 L  r2
 E  r3
 E  r4
 E  r5
COLUMNS
    x1 obj 4
    x1 r1 2
    x1 r2 5
    x1 r4 -8
    x1 r5 9
RHS
    rhs r1 4
    rhs r2 4
    rhs r3 3
    rhs r4 2
    rhs r5 10
BOUNDS
ENDATA
