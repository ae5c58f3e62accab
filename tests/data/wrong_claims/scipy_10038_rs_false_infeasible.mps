* scipy issue #10038 (model of test_bug_8174_2, from issue #8174 / StackOverflow 47717012); default bounds x >= 0
NAME scipy_10038
ROWS
 N  obj
 L  r1
 L  r2
 L  r3
 L  r4
 L  r5
 L  r6
 L  r7
 E  r8
 E  r9
 E  r10
 E  r11
 E  r12
COLUMNS
    x1 obj 1
    x1 r1 -1
    x1 r8 1
    x1 r9 0.3
    x1 r10 0.3
    x2 r2 -1
    x2 r8 1
    x2 r9 1.3
    x2 r11 0.65
    x3 r3 -1
    x3 r8 1
    x3 r9 0.9
    x3 r12 0.3
    x4 r4 -1
    x4 r8 1
    x5 r5 -1
    x5 r8 1
    x6 r6 -1
    x6 r8 1
    x7 r7 -1
    x7 r9 -1
    x7 r10 -0.6666666666666666
    x7 r11 -0.06666666666666667
    x7 r12 -0.06666666666666667
RHS
    rhs r1 -2
    rhs r2 -2
    rhs r3 -2
    rhs r4 -2
    rhs r5 -2
    rhs r6 -2
    rhs r7 -2
    rhs r8 100
BOUNDS
ENDATA
