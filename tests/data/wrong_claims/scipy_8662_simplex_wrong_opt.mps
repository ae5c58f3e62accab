* scipy issue #8662 (first form, default bounds x >= 0)
NAME scipy_8662
ROWS
 N  obj
 L  r1
 L  r2
 L  r3
 L  r4
COLUMNS
    x1 obj -10
    x1 r1 8
    x1 r2 -8
    x1 r3 -4
    x1 r4 3
    x2 obj 10
    x2 r1 -8
    x2 r2 8
    x2 r3 4
    x2 r4 -3
    x3 obj 6
    x3 r1 -4
    x3 r2 4
    x3 r3 8
    x3 r4 -3
    x4 obj 3
    x4 r1 6
    x4 r2 -6
    x4 r3 -4
    x4 r4 -10
RHS
    rhs r1 9
    rhs r2 -9
    rhs r3 -9
    rhs r4 -4
BOUNDS
ENDATA
