%% A strict credit-control client that keeps its sessions live and reacts to Tollgate's own
%% requests as RFC 4006 asks: after an RAR it reports its usage in a CCR-U (and ends the
%% session with a CCR-T when that is refused), after an ASR it ends the session with a CCR-T.
%% The test drives it through stdin, one command a line:
%%   start <label> <subscriber> <requested seconds>   a CCR-I; prints "session <label> <id>"
%%   update <label>                                     a CCR-U of its own (2 s used, 10 asked)
%%   answer <result code>                               how to answer the next RAR/ASR
%%   quit
%% and reads one line per answer (tollgate_cc_client:show/2) and per request
%% ("request RAR|ASR session=... errors=...", tollgate_cc_cb).
%% Usage: escript tollgate_live_client.escript <ebin dir> <port>
-mode(compile).

main([Ebin, PortText]) ->
    true = code:add_patha(Ebin),
    tollgate_cc_client:start(list_to_integer(PortText)),
    register(tollgate_live, self()),
    Main = self(),
    spawn_link(fun() -> read_lines(Main) end),
    io:format("ready~n"),
    loop(#{});
main(_) ->
    io:format("usage: tollgate_live_client.escript EBIN PORT~n"),
    halt(2).

read_lines(Main) ->
    case io:get_line("") of
        eof -> Main ! {line, "quit"};
        Line -> Main ! {line, string:trim(Line)}, read_lines(Main)
    end.

%% Sessions: Session-Id (binary) => {Label, Subscriber, next CC-Request-Number}.
loop(Sessions) ->
    receive
        {line, "quit"} ->
            diameter:stop_service(tollgate_test),
            io:format("done~n"),
            halt(0);
        {line, Line} ->
            loop(command(string:split(Line, " ", all), Sessions));
        {server_request, 'RAR', Session} ->
            loop(reauthorize(Session, Sessions));
        {server_request, 'ASR', Session} ->
            loop(finish(Session, "_abort_end", Sessions))
    end.

command(["start", Label, Subscriber, Seconds], Sessions) ->
    Session = iolist_to_binary(diameter:session_id("erlang.test.local")),
    show(Label, ccr(Session, 1, 0, Subscriber, [{rsu, list_to_integer(Seconds)}])),
    io:format("session ~s ~s~n", [Label, Session]),
    Sessions#{Session => {Label, Subscriber, 1}};
command(["update", Label], Sessions) ->
    case [S || {S, {L, _, _}} <- maps:to_list(Sessions), L =:= Label] of
        [Session] -> reauthorize(Session, Sessions);
        [] -> io:format("unknown ~s~n", [Label]), Sessions
    end;
command(["answer", Code], Sessions) ->
    persistent_term:put(tollgate_answer, list_to_integer(Code)),
    Sessions;
command(Other, Sessions) ->
    io:format("unknown ~p~n", [Other]),
    Sessions.

%% A CCR-U reporting 2 s and asking 10 s more; refused, the session ends with a CCR-T.
reauthorize(Session, Sessions) ->
    case maps:find(Session, Sessions) of
        {ok, {Label, Subscriber, Number}} ->
            Answer = ccr(Session, 2, Number, Subscriber, [{usu, 2}, {rsu, 10}]),
            show(Label ++ "_reauth", Answer),
            case result_of(Answer) of
                2001 -> Sessions#{Session => {Label, Subscriber, Number + 1}};
                _ -> finish(Session, "_end", Sessions#{Session => {Label, Subscriber,
                                                                   Number + 1}})
            end;
        error -> io:format("unknown ~s~n", [Session]), Sessions
    end.

%% The CCR-T of a session, reporting 2 s more.
finish(Session, Suffix, Sessions) ->
    case maps:find(Session, Sessions) of
        {ok, {Label, Subscriber, Number}} ->
            show(Label ++ Suffix, ccr(Session, 3, Number, Subscriber, [{usu, 2}])),
            maps:remove(Session, Sessions);
        error -> io:format("unknown ~s~n", [Session]), Sessions
    end.

ccr(Session, Type, Number, Subscriber, Options) ->
    tollgate_cc_client:ccr(Session, Type, Number, Subscriber, Options).

show(Label, Answer) -> tollgate_cc_client:show(Label, Answer).

result_of(Answer) -> tollgate_cc_client:result_of(Answer).
