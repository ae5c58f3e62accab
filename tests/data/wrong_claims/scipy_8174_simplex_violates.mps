* scipy issue #8174
NAME scipy_8174
ROWS
 N  obj
 L  r1
 L  r2
 L  r3
 L  r4
COLUMNS
    x1 obj -1
    x1 r1 22714
    x1 r2 -4986
    x1 r3 -4986
    x1 r4 22714
    x2 obj -1
    x2 r1 1008
    x2 r2 -1092
    x3 obj -1
    x3 r1 13380
    x3 r2 -31220
    x4 obj -1
    x4 r1 -2713.5
    x4 r2 17386.5
    x4 r3 -2713.5
    x4 r4 17386.5
    x5 obj -1
    x5 r1 -1116
    x5 r2 684
RHS
BOUNDS
 UP bnd x1 1
 UP bnd x2 1
 UP bnd x3 1
 UP bnd x4 1
 UP bnd x5 1
ENDATA
