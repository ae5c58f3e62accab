* scipy issue #8663: min x + 5y s.t. -7y <= -6, x >= 0, y free
NAME scipy_8663
ROWS
 N  obj
 L  r1
COLUMNS
    x1 obj 1
    x2 obj 5
    x2 r1 -7
RHS
    rhs r1 -6
BOUNDS
 FR bnd x2
ENDATA
