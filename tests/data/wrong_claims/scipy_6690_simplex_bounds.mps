* scipy issue #6690 (row 2 of A_ub is all zeros with rhs 0, kept as in the report)
NAME scipy_6690
ROWS
 N  obj
 L  r1
 L  r2
 L  r3
 L  r4
 L  r5
 E  r6
COLUMNS
    x1 obj -1.64
    x2 obj 0.7
    x2 r4 -1.22
    x3 obj 1.8
    x3 r4 -0.25
    x4 obj -1.06
    x4 r1 1.18
    x4 r3 0.43
    x4 r6 0.93
    x5 obj -1.16
    x6 obj 0.26
    x6 r6 0.65
    x7 obj 2.13
    x7 r4 -2.06
    x8 obj 1.53
    x8 r1 -0.2
    x8 r5 -0.25
    x9 obj 0.66
    x9 r6 0.83
    x10 obj 0.28
    x10 r1 -0.22
    x10 r4 1.37
RHS
    rhs r1 0.615
    rhs r3 0.172
    rhs r4 -0.869
    rhs r5 -0.022
    rhs r6 0.9626
BOUNDS
 LO bnd x1 -0.84
 UP bnd x1 0.37
 LO bnd x2 -0.97
 UP bnd x2 0.02
 LO bnd x3 0.34
 UP bnd x3 2.86
 LO bnd x4 0.4
 UP bnd x4 0.86
 LO bnd x5 -0.33
 UP bnd x5 1.18
 LO bnd x6 -0.74
 UP bnd x6 0.5
 LO bnd x7 0.47
 UP bnd x7 1.76
 LO bnd x8 0.09
 UP bnd x8 0.17
 LO bnd x9 -1.45
 UP bnd x9 0.32
 LO bnd x10 -0.73
 UP bnd x10 -0.15
ENDATA
