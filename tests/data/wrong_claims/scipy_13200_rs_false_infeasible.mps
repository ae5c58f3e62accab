* scipy issue #13200: 3x3 transportation problem built with np.kron as in the report
NAME scipy_13200
ROWS
 N  obj
 E  r1
 E  r2
 E  r3
 E  r4
 E  r5
 E  r6
COLUMNS
    x1 obj 20
    x1 r1 1
    x1 r4 1
    x2 obj 14
    x2 r2 1
    x2 r4 1
    x3 obj 17
    x3 r3 1
    x3 r4 1
    x4 obj 15
    x4 r1 1
    x4 r5 1
    x5 obj 12
    x5 r2 1
    x5 r5 1
    x6 obj 12
    x6 r3 1
    x6 r5 1
    x7 obj 12
    x7 r1 1
    x7 r6 1
    x8 obj 10
    x8 r2 1
    x8 r6 1
    x9 obj 11
    x9 r3 1
    x9 r6 1
RHS
    rhs r1 7000
    rhs r2 12400
    rhs r3 7100
    rhs r4 13700
    rhs r5 5800
    rhs r6 7000
BOUNDS
ENDATA
