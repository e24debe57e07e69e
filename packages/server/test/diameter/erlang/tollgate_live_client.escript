%% A strict credit-control client that keeps its sessions live and reacts to Tollgate's own
%% requests as RFC 4006 asks: after an RAR it reports its usage in a CCR-U (and ends the
%% session with a CCR-T when that is refused), after an ASR it ends the session with a CCR-T.
%% The test drives it through stdin, one command a line:
%%   start <label> <subscriber> <requested seconds>   a CCR-I; prints "session <label> <id>"
%%   update <label>                                     a CCR-U of its own (2 s used, 10 asked)
%%   answer <result code>                               how to answer the next RAR/ASR
%%   quit
%% and reads one line per answer ("answer <label> result=... gsu=... fui=...", as
%% tollgate_ccr_client prints them) and per request ("request RAR|ASR session=... errors=...").
%% Usage: escript tollgate_live_client.escript <ebin dir> <port>
-mode(compile).

-include_lib("diameter/include/diameter.hrl").

main([Ebin, PortText]) ->
    true = code:add_patha(Ebin),
    ok = diameter:start(),
    ok = diameter:start_service(tollgate_test, service()),
    {ok, _} = diameter:add_transport(tollgate_test, {connect, [
        {transport_module, diameter_tcp},
        {transport_config, [{raddr, {127, 0, 0, 1}}, {rport, list_to_integer(PortText)},
                            {reuseaddr, true}]}]}),
    wait_up(50),
    register(tollgate_live, self()),
    Main = self(),
    spawn_link(fun() -> read_lines(Main) end),
    io:format("ready~n"),
    loop(#{});
main(_) ->
    io:format("usage: tollgate_live_client.escript EBIN PORT~n"),
    halt(2).

service() ->
    [{'Origin-Host', "erlang.test.local"}, {'Origin-Realm', "test.local"},
     {'Vendor-Id', 0}, {'Product-Name', "OTP diameter test client"},
     {'Auth-Application-Id', [4]}, {'Host-IP-Address', [{127, 0, 0, 1}]},
     {decode_format, map}, {string_decode, false},
     {application, [{alias, cc}, {dictionary, rfc4006_cc}, {module, tollgate_cc_cb},
                    {answer_errors, callback}]}].

wait_up(0) -> io:format("error no_peer~n"), halt(1);
wait_up(N) ->
    case diameter:service_info(tollgate_test, connections) of
        [_ | _] -> timer:sleep(100);
        _ -> timer:sleep(100), wait_up(N - 1)
    end.

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

result_of({ok, [_ | Answer], _}) -> maps:get('Result-Code', Answer);
result_of(_) -> none.

ccr(Session, Type, Number, Subscriber, Options) ->
    Units = lists:flatmap(fun({rsu, Seconds}) -> [{'Requested-Service-Unit',
                                                   #{'CC-Time' => Seconds}}];
                             ({usu, Seconds}) -> [{'Used-Service-Unit',
                                                   [#{'CC-Time' => Seconds}]}]
                          end, Options),
    Mscc = maps:merge(#{'Service-Identifier' => [1000], 'Rating-Group' => 100},
                      maps:from_list(Units)),
    Called = #diameter_avp{code = 30, data = <<"sip:4420700000@127.0.0.1">>},
    diameter:call(tollgate_test, cc, ['CCR' | #{'Session-Id' => Session,
        'Destination-Realm' => "test.local", 'Auth-Application-Id' => 4,
        'Service-Context-Id' => "32260@3gpp.org", 'CC-Request-Type' => Type,
        'CC-Request-Number' => Number,
        'Subscription-Id' => [#{'Subscription-Id-Type' => 2,
                                'Subscription-Id-Data' => Subscriber}],
        'Multiple-Services-Credit-Control' => [Mscc], 'AVP' => [Called]}], []).

one(Key, Map) ->
    case maps:get(Key, Map, []) of
        [Value | _] -> Value;
        [] -> none;
        Value -> Value
    end.

show(Label, {ok, [Name | Answer], Errors}) ->
    Mscc = case one('Multiple-Services-Credit-Control', Answer) of none -> #{}; M -> M end,
    Gsu = case one('Granted-Service-Unit', Mscc) of none -> #{}; G -> G end,
    Fui = case one('Final-Unit-Indication', Mscc) of none -> #{}; F -> F end,
    io:format("answer ~s command=~s result=~w number=~w errors=~w gsu=~w fui=~w~n",
              [Label, Name, one('Result-Code', Answer), one('CC-Request-Number', Answer),
               [element(1, E) || E <- Errors], one('CC-Time', Gsu),
               one('Final-Unit-Action', Fui)]);
show(Label, Other) ->
    io:format("answer ~s other=~0p~n", [Label, Other]).
