* scipy issue #24141: milp(c=ones(8), integrality=ones(8), constraints=(a, b, b)); default bounds 0..inf
NAME scipy_24141
ROWS
 N  obj
 E  r1
 E  r2
 E  r3
 E  r4
 E  r5
 E  r6
COLUMNS
    MARKER0 'MARKER' 'INTORG'
    x1 obj 1
    x1 r3 1
    x2 obj 1
    x2 r1 1
    x2 r3 1
    x2 r4 1
    x2 r5 1
    x2 r6 1
    x3 obj 1
    x3 r1 1
    x3 r2 1
    x3 r3 1
    x3 r6 1
    x4 obj 1
    x4 r2 1
    x4 r3 1
    x4 r4 1
    x4 r6 1
    x5 obj 1
    x5 r1 1
    x5 r2 1
    x5 r3 1
    x5 r4 1
    x5 r5 1
    x6 obj 1
    x6 r3 1
    x6 r4 1
    x6 r5 1
    x6 r6 1
    x7 obj 1
    x7 r2 1
    x7 r6 1
    x8 obj 1
    x8 r2 1
    x8 r3 1
    x8 r5 1
    MARKER1 'MARKER' 'INTEND'
RHS
    rhs r1 42
    rhs r2 252
    rhs r3 277
    rhs r4 41
    rhs r5 222
    rhs r6 48
BOUNDS
 LO bnd x1 0
 PL bnd x1
 LO bnd x2 0
 PL bnd x2
 LO bnd x3 0
 PL bnd x3
 LO bnd x4 0
 PL bnd x4
 LO bnd x5 0
 PL bnd x5
 LO bnd x6 0
 PL bnd x6
 LO bnd x7 0
 PL bnd x7
 LO bnd x8 0
 PL bnd x8
ENDATA
